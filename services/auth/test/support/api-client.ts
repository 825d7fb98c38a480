import type { ApiContract } from './api-contract.ts';

/** What a test gets back: status, headers and the parsed body. */
export interface ApiResponse<Body = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON, else the text. */
  readonly body: Body;
  readonly text: string;
}

export interface RequestOptions {
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is (set the content type yourself). */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** Shorthand for `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Skip the contract check (for paths that are not the service's API, e.g. 404s). */
  readonly unchecked?: boolean;
}

/**
 * A fetch-based client for the service under test that checks EVERY response against
 * openapi.yaml before the test sees it.
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #contract: ApiContract;

  constructor(baseUrl: string, contract: ApiContract) {
    this.baseUrl = baseUrl;
    this.#contract = contract;
  }

  async request<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.rawBody;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    const parsed: unknown = /json/.test(contentType ?? '') && text !== '' ? JSON.parse(text) : text;
    if (options.unchecked !== true) {
      this.#contract.check({
        method,
        path: path.split('?')[0] ?? path,
        status: response.status,
        contentType,
        body: parsed,
        rawBody: text,
      });
    }
    return { status: response.status, headers: response.headers, body: parsed as Body, text };
  }

  get<Body = Record<string, unknown>>(path: string, options?: RequestOptions) {
    return this.request<Body>('GET', path, options);
  }

  post<Body = Record<string, unknown>>(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request<Body>('POST', path, json === undefined ? options : { ...options, json });
  }

  put<Body = Record<string, unknown>>(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request<Body>('PUT', path, json === undefined ? options : { ...options, json });
  }
}
