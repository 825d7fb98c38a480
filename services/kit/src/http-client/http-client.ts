import { channel } from 'node:diagnostics_channel';
import { context, propagation } from '@opentelemetry/api';
import { getRequestId } from '../context/request-context.ts';
import type { Logger } from '../logger/logger.ts';
import { ConsecutiveFailureBreaker } from './circuit-breaker.ts';
import type { BreakerOptions, BreakerState, ErrorVerdict } from './circuit-breaker.ts';
import {
  fullJitterDelayMs,
  isIdempotent,
  isRetryableStatus,
  retryAfterMs,
} from './retry-policy.ts';
import { UpstreamError, UpstreamUnreachableError } from './upstream-errors.ts';

export interface HttpClientOptions {
  /** Where the upstream lives, e.g. `http://user.shoal.svc:8080`. Paths are resolved against it. */
  baseUrl: string;
  /** Timeout of ONE attempt, in ms. Default 5000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent requests on network errors / 502 / 503 / 504. Default 2. */
  retries?: number;
  /** Base of the exponential backoff between attempts. Default 100 ms. */
  retryBaseDelayMs?: number;
  /** Cap on any wait between attempts, Retry-After included; a longer Retry-After ends retrying. Default 5 s. */
  maxRetryDelayMs?: number;
  /** Circuit breaker settings, or false for none. On by default. */
  breaker?: BreakerOptions | false;
  /**
   * Supplies a bearer token for each request (e.g. clientCredentialsTokenProvider). When it
   * has `invalidate()`, a 401 answer drops the cached token and the call is sent once more.
   */
  bearerToken?: (() => Promise<string>) & { invalidate?: () => void };
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Logs retries and breaker trips, when given. */
  logger?: Logger;
}

export interface RequestOptions {
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  body?: unknown;
  /** Cancels the whole call, retries included. */
  signal?: AbortSignal;
}

/** A successful (2xx/3xx) answer. `body` is parsed JSON, text, or undefined when empty. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A client for one upstream; one per upstream, so each has its own breaker. */
export interface HttpClient {
  request<T = unknown>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  post<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  put<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  patch<T = unknown>(
    path: string,
    body?: unknown,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Where this client's circuit breaker stands. */
  readonly breakerState: BreakerState;
}

/** The channel undici (fetch) announces requests on; OpenTelemetry's undici instrumentation listens. */
const fetchIsInstrumented = channel('undici:request:create');

/** One failed attempt, and whether the policy allows another. */
type AttemptFailure = { error: Error; retryable: boolean; waitMs?: number };

/**
 * Creates an HTTP client (fetch) with per-attempt timeouts, bounded full-jitter retries for
 * idempotent methods, a circuit breaker, and propagation of X-Request-Id and W3C trace context.
 * Upstream 4xx/5xx answers throw UpstreamError; unreachable upstreams UpstreamUnreachableError.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = new URL(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const baseDelayMs = options.retryBaseDelayMs ?? 100;
  const maxDelayMs = options.maxRetryDelayMs ?? 5_000;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError('createHttpClient: retries must be a non-negative integer');
  }
  if (!(timeoutMs > 0)) throw new TypeError('createHttpClient: timeoutMs must be positive');

  const breaker =
    options.breaker === false
      ? undefined
      : new ConsecutiveFailureBreaker(baseUrl.origin, options.breaker ?? {}, judgeUpstream);

  async function attempt(method: string, url: URL, init: RequestInit, signal?: AbortSignal) {
    const attemptSignal = signal
      ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, method, signal: attemptSignal });
      text = method === 'HEAD' ? '' : await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const timedOut = (error as { name?: unknown }).name === 'TimeoutError';
      return { failure: new UpstreamUnreachableError(method, url.href, timedOut, error) };
    }
    if (response.status >= 400) {
      return {
        failure: new UpstreamError(method, url.href, response.status, text),
        retryAfter: retryAfterMs(response.headers.get('retry-after')),
      };
    }
    return {
      response: {
        status: response.status,
        headers: response.headers,
        body: parseBody(response, text),
      },
    };
  }

  async function callWithRetries(
    method: string,
    url: URL,
    init: RequestInit,
    signal?: AbortSignal,
  ) {
    const maxAttempts = isIdempotent(method) ? retries + 1 : 1;
    for (let n = 0; ; n++) {
      const outcome = await attempt(method, url, init, signal);
      if (outcome.response) return outcome.response;
      const failure = classify(outcome.failure, outcome.retryAfter);
      if (!failure.retryable || n + 1 >= maxAttempts) throw failure.error;
      const waitMs = failure.waitMs ?? fullJitterDelayMs(n, baseDelayMs, maxDelayMs);
      if (waitMs > maxDelayMs) throw failure.error; // the upstream asks for longer than we wait
      options.logger?.warn('retrying upstream call', {
        method,
        url: url.href,
        attempt: n + 1,
        wait_ms: waitMs,
        reason: failure.error.message,
      });
      await sleep(waitMs, signal);
    }
  }

  async function request<T>(method: string, path: string, requestOptions: RequestOptions = {}) {
    const verb = method.toUpperCase();
    const url = resolveUrl(baseUrl, path, requestOptions.query);
    const body =
      requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body);
    // Headers (and so the service token) are only fetched once the breaker lets the call through.
    const send = async () => {
      const headers = await buildHeaders(options, requestOptions);
      if (body !== undefined) headers['content-type'] = 'application/json';
      return callWithRetries(verb, url, { headers, body }, requestOptions.signal);
    };
    const call = async () => {
      try {
        return await send();
      } catch (error) {
        // A 401 means the request was not processed: safe to resend, even a POST, with a
        // fresh token (the cached one was revoked, or signed by a key since rotated out).
        const invalidate = options.bearerToken?.invalidate;
        if (!(error instanceof UpstreamError && error.status === 401 && invalidate)) throw error;
        invalidate();
        return send();
      }
    };
    return (await (breaker ? breaker.run(call) : call())) as HttpResponse<T>;
  }

  return {
    request,
    get: (path, o) => request('GET', path, o),
    post: (path, body, o) => request('POST', path, { ...o, body }),
    put: (path, body, o) => request('PUT', path, { ...o, body }),
    patch: (path, body, o) => request('PATCH', path, { ...o, body }),
    delete: (path, o) => request('DELETE', path, o),
    get breakerState() {
      return breaker?.state ?? 'closed';
    },
  };
}

function classify(
  error: UpstreamError | UpstreamUnreachableError,
  retryAfter?: number,
): AttemptFailure {
  if (error instanceof UpstreamUnreachableError) return { error, retryable: true };
  return { error, retryable: isRetryableStatus(error.status), waitMs: retryAfter };
}

/** What trips the breaker: the upstream being down or broken, not a 4xx or our own cancel. */
function judgeUpstream(error: unknown): ErrorVerdict {
  if (error instanceof UpstreamError) return error.status >= 500 ? 'failure' : 'healthy';
  return error instanceof UpstreamUnreachableError ? 'failure' : 'neutral';
}

async function buildHeaders(
  options: HttpClientOptions,
  requestOptions: RequestOptions,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1',
    ...options.headers,
    ...requestOptions.headers,
  };
  const requestId = getRequestId();
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  // Writes traceparent/tracestate when an OpenTelemetry SDK is registered (a no-op otherwise).
  // When fetch itself is instrumented it injects its own client span's context, a better
  // parent; injecting here too would send the header twice.
  if (!fetchIsInstrumented.hasSubscribers) propagation.inject(context.active(), headers);
  if (options.bearerToken) headers['authorization'] = `Bearer ${await options.bearerToken()}`;
  return headers;
}

function resolveUrl(baseUrl: URL, path: string, query: RequestOptions['query']): URL {
  // Relative to the base path: "users/1" and "/users/1" both land under baseUrl's path.
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;
  const url = new URL(path.replace(/^\/+/, ''), base);
  if (url.origin !== baseUrl.origin) {
    throw new TypeError(`http client for ${baseUrl.origin} cannot call ${url.origin}`);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.append(key, String(value));
  }
  return url;
}

function parseBody(response: Response, text: string): unknown {
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/[/+]json\b/.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
