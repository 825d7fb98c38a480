import assert from 'node:assert/strict';
import { clientCredentialsTokenProvider, createTokenVerifier } from '@shoal/kit';
import { createTestEnvironment, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

const REPORTING = {
  client_id: 'reporting',
  client_secret: 'reporting-secret-0123456789',
  scopes: ['users:read', 'events:read'],
};

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function form(fields: Record<string, string>): {
  rawBody: string;
  headers: Record<string, string>;
} {
  return {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

describe('client credentials: service-to-service tokens', () => {
  let environment: TestEnvironment;
  let service: AuthUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startAuth(environment, { AUTH_CLIENTS: JSON.stringify([REPORTING]) });
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  it("When the kit's token provider asks for a token, then it gets one that the kit's verifier accepts with the client's scopes", async () => {
    const provider = clientCredentialsTokenProvider({
      tokenUrl: `${service.url}/api/auth/token`,
      clientId: REPORTING.client_id,
      clientSecret: REPORTING.client_secret,
      scope: 'users:read',
    });
    const verify = createTokenVerifier({
      jwksUrl: `${service.url}/api/auth/.well-known/jwks.json`,
      issuer: 'shoal-auth',
      audience: 'shoal',
    });
    const caller = await verify(await provider());
    assert.equal(caller.sub, 'reporting');
    assert.deepEqual(caller.scope, ['users:read']);
    assert.deepEqual(caller.roles, []);
    assert.equal(caller.claims['client_id'], 'reporting');
  });

  it('When a client asks without a scope, then it gets every scope it is allowed', async () => {
    const response = await service.api.post('/api/auth/token', undefined, {
      ...form({ grant_type: 'client_credentials' }),
      headers: {
        ...form({}).headers,
        authorization: basic(REPORTING.client_id, REPORTING.client_secret),
      },
    });
    assert.equal(response.status, 200);
    assert.equal(response.body['scope'], 'users:read events:read');
    assert.equal(response.body['token_type'], 'Bearer');
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('When the client authenticates in a JSON body, then it gets a token too', async () => {
    const response = await service.api.post('/api/auth/token', {
      grant_type: 'client_credentials',
      client_id: REPORTING.client_id,
      client_secret: REPORTING.client_secret,
      scope: 'events:read',
    });
    assert.equal(response.status, 200);
    assert.equal(response.body['scope'], 'events:read');
  });

  it('When a client asks for a scope it is not allowed, then 400 invalid_scope', async () => {
    const response = await service.api.post(
      '/api/auth/token',
      undefined,
      form({
        grant_type: 'client_credentials',
        client_id: REPORTING.client_id,
        client_secret: REPORTING.client_secret,
        scope: 'users:read users:write',
      }),
    );
    assert.equal(response.status, 400);
    assert.equal(response.body['error'], 'invalid_scope');
  });

  it('When the secret is wrong or the client unknown, then both get the same 401 invalid_client', async () => {
    const wrongSecret = await service.api.post(
      '/api/auth/token',
      undefined,
      form({ grant_type: 'client_credentials', client_id: 'reporting', client_secret: 'nope' }),
    );
    const unknown = await service.api.post(
      '/api/auth/token',
      undefined,
      form({ grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'nope' }),
    );
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(wrongSecret.body, unknown.body);
    assert.equal(wrongSecret.body['error'], 'invalid_client');
  });

  it('When another grant type is asked for, then 400', async () => {
    const response = await service.api.post(
      '/api/auth/token',
      undefined,
      form({
        grant_type: 'password',
        client_id: 'reporting',
        client_secret: REPORTING.client_secret,
      }),
    );
    assert.equal(response.status, 400);
  });

  it('When the token request is neither a form nor JSON, then 415', async () => {
    const response = await service.api.post('/api/auth/token', undefined, {
      rawBody: 'grant_type=client_credentials',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 415);
  });

  it('When a service token is presented to /me, then 403: it is not an account', async () => {
    const token = await service.api.post('/api/auth/token', {
      grant_type: 'client_credentials',
      client_id: REPORTING.client_id,
      client_secret: REPORTING.client_secret,
    });
    const me = await service.api.get('/api/auth/me', { token: String(token.body['access_token']) });
    assert.equal(me.status, 403);
  });
});
