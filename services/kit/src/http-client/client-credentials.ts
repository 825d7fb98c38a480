export interface ClientCredentialsOptions {
  /** The OAuth 2.0 token endpoint (the auth service's `/oauth/token`). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for. */
  scope?: string;
  /** Renew this long before the token expires, so no request carries a token about to die. Default 30 s. */
  refreshBeforeExpirySec?: number;
  /** Timeout of a token request. Default 5 s. */
  timeoutMs?: number;
}

/** Returns a valid access token, fetching a new one only when needed. */
export interface TokenProvider {
  (): Promise<string>;
  /** Forgets the cached token (e.g. after the upstream answered 401 to it). */
  invalidate(): void;
}

/**
 * A bearer-token source for service-to-service calls (OAuth 2.0 client-credentials grant,
 * client_secret_basic). The token is cached until shortly before it expires, and concurrent
 * callers share a single token request.
 */
export function clientCredentialsTokenProvider(options: ClientCredentialsOptions): TokenProvider {
  const refreshSkewMs = (options.refreshBeforeExpirySec ?? 30) * 1000;
  let cached: { token: string; renewAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope !== undefined) form.set('scope', options.scope);
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before going into Basic.
    const basic = Buffer.from(
      `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
    ).toString('base64');
    const response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `token request to ${options.tokenUrl} answered ${response.status}: ${oauthError(text)}`,
      );
    }
    const body = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new Error(`token response from ${options.tokenUrl} has no access_token`);
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 0;
    // A token without expires_in, or shorter-lived than the skew, is used once and not cached.
    cached = { token: body.access_token, renewAt: Date.now() + lifetimeMs - refreshSkewMs };
    return body.access_token;
  }

  const provider = (async () => {
    if (cached !== undefined && Date.now() < cached.renewAt) return cached.token;
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }) as TokenProvider;
  provider.invalidate = () => {
    cached = undefined;
  };
  return provider;
}

function oauthError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string') {
      return typeof body.error_description === 'string'
        ? `${body.error} (${body.error_description})`
        : body.error;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}
