// The part of fetch the suites' HTTP clients use, so a caller can hand them another one: the
// kind suite's fetch resolves the cluster's *.localtest.me names itself (undici's own fetch,
// whose Response is not the global class but has the same shape).

/** What a response must offer: the status, headers to read and iterate, the body as text. */
export interface FetchLikeResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: Iterable<[string, string]> & { get(name: string): string | null };
  text(): Promise<string>;
}

/** A request as the clients make it: a URL string, method, headers, a string body. */
export interface FetchLikeInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The global fetch fits; so does undici's with a dispatcher bound. */
export type FetchLike = (url: string, init?: FetchLikeInit) => Promise<FetchLikeResponse>;
