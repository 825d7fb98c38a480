// The journeys' only way in: HTTP to the gateway, as an API consumer would call it.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FetchLike } from '../../src/fetch-like.ts';

/** A response with its body parsed (JSON when the content type says so, text otherwise). */
export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** Options of one call. */
export interface CallOptions {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** Sent as is (a signed webhook must be the exact bytes that were signed). */
  readonly rawBody?: string;
}

/** A tiny client for the gateway at `baseUrl`. */
export class GatewayClient {
  readonly baseUrl: string;
  readonly #fetch: FetchLike;

  /** `fetchImpl`: how to send (default the global fetch; the kind suite resolves its hosts itself). */
  constructor(baseUrl: string, fetchImpl: FetchLike = fetch) {
    this.baseUrl = baseUrl;
    this.#fetch = fetchImpl;
  }

  /** One request; never throws on a status, only on a network failure. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | undefined = options.rawBody;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await this.#fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: payload,
    });
    const text = await response.text();
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers:
        response.headers instanceof Headers ? response.headers : new Headers([...response.headers]),
      body: (isJson && text !== '' ? JSON.parse(text) : text) as T,
      text,
    };
  }

  get<T = Record<string, unknown>>(path: string, options?: CallOptions) {
    return this.call<T>('GET', path, undefined, options);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, options?: CallOptions) {
    return this.call<T>('POST', path, body, options);
  }

  patch<T = Record<string, unknown>>(path: string, body?: unknown, options?: CallOptions) {
    return this.call<T>('PATCH', path, body, options);
  }
}

/** A fresh sampled W3C trace context: the journey picks the trace id, then asks Jaeger for it. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/**
 * Calls `probe` until it returns something other than undefined (asynchronous effects: events
 * crossing queues), at most `timeoutMs`; the error names what was awaited.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 45_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
