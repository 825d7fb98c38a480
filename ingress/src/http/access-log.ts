// The access log: one JSON line per request, in the kit logger's format (`level time service
// msg request_id trace_id span_id` + fields), built by hand instead of through winston. At a
// line per request, winston's format pipeline, child loggers and stream plumbing cost more
// than the rest of the gateway's own work; this writer builds the line as text and makes one
// write into the (batched) log stream.

/** What one access-log line says about a request. */
export interface AccessLogEntry {
  method: string;
  route: string;
  status: number;
  durationMs: number;
  bytes: number;
  requestId: string;
  traceId: string | undefined;
  spanId: string | undefined;
  subject: string | undefined;
  upstream: string | undefined;
  upstreamError: string | undefined;
  aborted: boolean;
}

/** Writes access-log lines to the gateway's log stream (nothing when the level is above info). */
export class AccessLog {
  readonly #serviceJson: string;
  readonly #stream: NodeJS.WritableStream;
  readonly #enabled: boolean;

  /** `enabled`: whether the configured log level lets `info` lines through. */
  constructor(options: { service: string; stream: NodeJS.WritableStream; enabled: boolean }) {
    this.#serviceJson = JSON.stringify(options.service);
    this.#stream = options.stream;
    this.#enabled = options.enabled;
  }

  /** Writes the line for one finished (or aborted) request. */
  write(entry: AccessLogEntry): void {
    if (!this.#enabled) return;
    // Built as text: the fixed keys are literals, numbers need no quoting, and every string
    // goes through JSON.stringify (request ids are already safe: the kit only keeps
    // [A-Za-z0-9._-] or makes a UUID).
    let line = `{"level":"info","time":"${isoNow()}","service":${this.#serviceJson},"msg":"request","request_id":"${entry.requestId}"`;
    if (entry.traceId !== undefined) {
      line += `,"trace_id":"${entry.traceId}","span_id":"${entry.spanId}"`;
    }
    line += `,"method":${JSON.stringify(entry.method)},"route":${JSON.stringify(entry.route)},"status":${entry.status},"duration_ms":${entry.durationMs},"bytes":${entry.bytes}`;
    if (entry.subject !== undefined) line += `,"subject":${JSON.stringify(entry.subject)}`;
    if (entry.upstream !== undefined) line += `,"upstream":${JSON.stringify(entry.upstream)}`;
    if (entry.upstreamError !== undefined) {
      line += `,"upstream_error":${JSON.stringify(entry.upstreamError)}`;
    }
    if (entry.aborted) line += ',"aborted":true';
    this.#stream.write(`${line}}\n`);
  }
}

let isoMs = 0;
let isoText = '';

/** `new Date().toISOString()`, made at most once per millisecond. */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}
