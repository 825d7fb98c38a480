/** The upstream answered, with a 4xx or 5xx: its status and problem body are kept. */
export class UpstreamError extends Error {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  /** The parsed JSON body (usually an RFC 9457 problem), or undefined when it was not JSON. */
  readonly problem: Record<string, unknown> | undefined;
  /** The raw body text, for bodies that were not JSON. */
  readonly bodyText: string;

  constructor(method: string, url: string, status: number, bodyText: string) {
    const problem = parseProblem(bodyText);
    const summary = problem?.['detail'] ?? problem?.['title'];
    super(
      `${method} ${url} answered ${status}` + (typeof summary === 'string' ? `: ${summary}` : ''),
    );
    this.name = 'UpstreamError';
    this.status = status;
    this.method = method;
    this.url = url;
    this.problem = problem;
    this.bodyText = bodyText;
  }
}

/** The upstream could not be reached or did not answer in time (after any retries). */
export class UpstreamUnreachableError extends Error {
  readonly method: string;
  readonly url: string;
  /** True when the last attempt hit the per-attempt timeout. */
  readonly timedOut: boolean;

  constructor(method: string, url: string, timedOut: boolean, cause: unknown) {
    const why = timedOut ? 'timed out' : `failed: ${describe(cause)}`;
    super(`${method} ${url} ${why}`, { cause });
    this.name = 'UpstreamUnreachableError';
    this.method = method;
    this.url = url;
    this.timedOut = timedOut;
  }
}

/** The client's circuit breaker is open: the call was not attempted at all. */
export class CircuitOpenError extends Error {
  readonly upstream: string;

  constructor(upstream: string) {
    super(`circuit to ${upstream} is open after repeated failures; failing fast`);
    this.name = 'CircuitOpenError';
    this.upstream = upstream;
  }
}

function parseProblem(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  // fetch() reports "fetch failed" and hides the interesting part (ECONNREFUSED...) in cause.
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
