import assert from 'node:assert/strict';
import { clientCredentialsTokenProvider } from '../../src/http-client/client-credentials.ts';
import { createHttpClient } from '../../src/http-client/http-client.ts';
import { UpstreamError } from '../../src/http-client/upstream-errors.ts';
import { json, startScriptedServer } from './scripted-server.ts';
import type { ScriptedServer } from './scripted-server.ts';

describe('http-client: clientCredentialsTokenProvider against a real token endpoint', () => {
  let tokenServer: ScriptedServer;

  /** A token endpoint that checks client_secret_basic and hands out numbered tokens. */
  function issueTokens(expiresIn: number | undefined): void {
    tokenServer.script((req, res, hit) => {
      const expected = `Basic ${Buffer.from('svc%3Auser:s3cr%26t').toString('base64')}`;
      if (req.headers.authorization !== expected) {
        json(res, 401, { error: 'invalid_client', error_description: 'bad credentials' });
        return;
      }
      json(res, 200, { access_token: `token-${hit}`, token_type: 'Bearer', expires_in: expiresIn });
    });
  }

  function provider(overrides: { clientSecret?: string } = {}) {
    return clientCredentialsTokenProvider({
      tokenUrl: `${tokenServer.url}/oauth/token`,
      clientId: 'svc:user',
      clientSecret: overrides.clientSecret ?? 's3cr&t',
      scope: 'users:read events:write',
    });
  }

  before(async () => {
    tokenServer = await startScriptedServer(() => undefined);
  });
  after(() => tokenServer.close());

  it('When a token is requested, then the grant, scope and Basic client authentication are sent', async () => {
    issueTokens(3600);
    assert.equal(await provider()(), 'token-1');
    const sent = new URLSearchParams(tokenServer.received[0]?.body);
    assert.equal(sent.get('grant_type'), 'client_credentials');
    assert.equal(sent.get('scope'), 'users:read events:write');
    assert.equal(
      tokenServer.received[0]?.headers['content-type'],
      'application/x-www-form-urlencoded',
    );
  });

  it('When the token is still fresh, then it is reused, and concurrent callers share one request', async () => {
    issueTokens(3600);
    const get = provider();
    const tokens = await Promise.all([get(), get(), get(), get()]);
    assert.deepEqual(tokens, ['token-1', 'token-1', 'token-1', 'token-1']);
    assert.equal(await get(), 'token-1');
    assert.equal(tokenServer.received.length, 1);
  });

  it('When the token lives shorter than the refresh margin, then each call fetches a new one', async () => {
    issueTokens(10);
    const get = provider();
    assert.equal(await get(), 'token-1');
    assert.equal(await get(), 'token-2');
  });

  it('When the token is invalidated, then the next call fetches a new one', async () => {
    issueTokens(3600);
    const get = provider();
    assert.equal(await get(), 'token-1');
    get.invalidate();
    assert.equal(await get(), 'token-2');
  });

  it('When the client credentials are wrong, then the error carries the OAuth error code', async () => {
    issueTokens(3600);
    await assert.rejects(
      provider({ clientSecret: 'nope' })(),
      /answered 401: invalid_client \(bad credentials\)/,
    );
  });

  it('When the token response has no access_token, then the provider says so', async () => {
    tokenServer.script((_req, res) => json(res, 200, { token_type: 'Bearer' }));
    await assert.rejects(provider()(), /has no access_token/);
  });

  it('When the endpoint fails with a non-JSON body, then the error shows the text', async () => {
    tokenServer.script((_req, res) => res.writeHead(500).end('upstream exploded'));
    await assert.rejects(provider()(), /answered 500: upstream exploded/);
  });

  it('When the upstream answers 401 to a cached token, then the client fetches a fresh one and resends once', async () => {
    issueTokens(3600);
    const upstream = await startScriptedServer((req, res) =>
      req.headers.authorization === 'Bearer token-1'
        ? json(res, 401, { title: 'Unauthorized' })
        : json(res, 200, { auth: req.headers.authorization }),
    );
    try {
      const c = createHttpClient({ baseUrl: upstream.url, bearerToken: provider(), retries: 0 });
      const res = await c.post<{ auth: string }>('/orders', { n: 1 });
      assert.equal(res.body.auth, 'Bearer token-2');
      assert.equal(upstream.received.length, 2);
      assert.equal(tokenServer.received.length, 2);
    } finally {
      await upstream.close();
    }
  });

  it('When the fresh token is refused too, then the 401 reaches the caller (no loop)', async () => {
    issueTokens(3600);
    const upstream = await startScriptedServer((_req, res) =>
      json(res, 401, { title: 'Unauthorized' }),
    );
    try {
      const c = createHttpClient({ baseUrl: upstream.url, bearerToken: provider() });
      await assert.rejects(
        c.get('/x'),
        (e: unknown) => e instanceof UpstreamError && e.status === 401,
      );
      assert.equal(upstream.received.length, 2);
    } finally {
      await upstream.close();
    }
  });

  it('When plugged into an http client, then upstream calls carry the service token', async () => {
    issueTokens(3600);
    const upstream = await startScriptedServer((req, res) =>
      json(res, 200, { auth: req.headers.authorization }),
    );
    try {
      const c = createHttpClient({ baseUrl: upstream.url, bearerToken: provider() });
      const res = await c.get<{ auth: string }>('/me');
      assert.equal(res.body.auth, 'Bearer token-1');
    } finally {
      await upstream.close();
    }
  });
});
