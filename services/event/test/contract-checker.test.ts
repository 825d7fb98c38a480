import assert from 'node:assert/strict';
import { contract } from './support/event-under-test.ts';

// The checker every component test relies on (ApiContract from @shoal/testbed) must itself
// catch violations, on this service's own document.
describe('openapi contract checker', () => {
  const accepted = {
    method: 'POST',
    path: '/api/events',
    status: 202,
    contentType: 'application/json; charset=utf-8',
    body: { id: 'abc' },
    rawBody: '{"id":"abc"}',
  };

  it('When a response matches the contract, then the check passes', () => {
    contract.check(accepted);
    contract.check({
      ...accepted,
      method: 'GET',
      path: '/api/events/dead-letters',
      status: 200,
      body: { subscription: 's', queue: 'q', approximate_depth: 0, items: [] },
    });
  });

  it('When a body breaks the schema, then the check fails naming the problem', () => {
    assert.throws(
      () => contract.check({ ...accepted, body: { id: 'abc', extra: 1 } }),
      /additional properties/,
    );
    assert.throws(() => contract.check({ ...accepted, body: {} }), /required property 'id'/);
  });

  it('When the status, content type, method or path is undocumented, then the check fails', () => {
    assert.throws(() => contract.check({ ...accepted, status: 418 }), /status not documented/);
    assert.throws(
      () => contract.check({ ...accepted, contentType: 'text/html' }),
      /content type "text\/html"/,
    );
    assert.throws(() => contract.check({ ...accepted, method: 'PUT' }), /method not in openapi/);
    assert.throws(() => contract.check({ ...accepted, path: '/api/nope' }), /path not in openapi/);
  });

  it('When a literal path and a templated one both match, then the literal one is used', () => {
    assert.equal(contract.templateFor('/api/events/dead-letters'), '/api/events/dead-letters');
    assert.equal(contract.templateFor('/api/events/abc'), '/api/events/{id}');
  });
});
