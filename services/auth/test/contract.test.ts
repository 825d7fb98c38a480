import assert from 'node:assert/strict';
import { ApiContract } from '@shoal/testbed';

// The checker every component test relies on must itself catch violations.
describe('openapi contract checker', () => {
  const contract = ApiContract.fromFile(new URL('../openapi.yaml', import.meta.url));
  const user = {
    id: '00000000-0000-4000-8000-000000000000',
    email: 'a@example.com',
    name: 'A',
    roles: ['user'],
    created_at: '2030-01-01T00:00:00.000Z',
  };
  const ok = {
    method: 'GET',
    path: '/api/auth/me',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: user,
    rawBody: JSON.stringify(user),
  };

  it('When a response matches the contract, then the check passes', () => {
    contract.check(ok);
    contract.check({ ...ok, method: 'PUT', path: `/api/auth/users/${user.id}/roles` });
  });

  it('When a body breaks the schema, then the check fails naming the problem', () => {
    assert.throws(
      () => contract.check({ ...ok, body: { ...user, password_hash: 'x' } }),
      /additional properties/,
    );
    assert.throws(() => contract.check({ ...ok, body: { ...user, id: 'nope' } }), /format "uuid"/);
  });

  it('When the status, content type or path is undocumented, then the check fails', () => {
    assert.throws(() => contract.check({ ...ok, status: 418 }), /status not documented/);
    assert.throws(
      () => contract.check({ ...ok, contentType: 'text/html' }),
      /content type "text\/html"/,
    );
    assert.throws(() => contract.check({ ...ok, path: '/api/auth/nope' }), /path not in openapi/);
    assert.throws(() => contract.check({ ...ok, method: 'DELETE' }), /method not in openapi/);
  });
});
