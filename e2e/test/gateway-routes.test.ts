// The local routes file is rendered from the charts' own values, so local runs route like the cluster.
import assert from 'node:assert/strict';
import { findRepoRoot } from '@shoal/testbed';
import { parseAllDocuments } from 'yaml';
import { renderRoutesFile } from '../src/platform/gateway-routes.ts';

interface IngressDocument {
  kind: string;
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: {
    rules: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
  };
  backends?: Record<string, string>;
}

function render(rateLimits: boolean): IngressDocument[] {
  const text = renderRoutesFile(
    findRepoRoot(),
    'e2e-test',
    [
      { name: 'auth', url: 'http://127.0.0.1:1001' },
      { name: 'event', url: 'http://127.0.0.1:1002' },
    ],
    { rateLimits },
  );
  return parseAllDocuments(text).map((document) => document.toJS() as IngressDocument);
}

describe('Gateway routes file', function () {
  it("When rendered for auth and event, then each chart's paths, policy and extra routes appear", function () {
    const documents = render(true);
    const backends = documents.find((document) => document.kind === 'LocalBackends');
    assert.deepEqual(backends?.backends, {
      'auth.e2e-test:8080': 'http://127.0.0.1:1001',
      'event.e2e-test:8080': 'http://127.0.0.1:1002',
    });
    const byName = new Map(
      documents.filter((d) => d.kind === 'Ingress').map((d) => [d.metadata.name, d]),
    );
    assert.deepEqual([...byName.keys()].sort(), ['auth', 'event', 'event-webhooks']);
    assert.equal(byName.get('auth')?.metadata.annotations['shoal.dev/auth'], 'none');
    assert.equal(byName.get('event')?.metadata.annotations['shoal.dev/auth'], 'required');
    const webhooks = byName.get('event-webhooks');
    assert.equal(webhooks?.metadata.annotations['shoal.dev/auth'], 'none', 'HMAC-signed, no JWT');
    assert.equal(webhooks?.spec.rules[0]?.http.paths[0]?.path, '/api/events/webhooks');
    assert.equal(
      webhooks?.metadata.annotations['shoal.dev/pass-headers'],
      'X-Shoal-Signature',
      "the sender's signature reaches the hub",
    );
    assert.equal(webhooks?.spec.rules[0]?.http.paths[0]?.backend.service.name, 'event');
    // The extra route inherits what it does not override (the event chart's timeout).
    assert.equal(
      webhooks?.metadata.annotations['shoal.dev/timeout'],
      byName.get('event')?.metadata.annotations['shoal.dev/timeout'],
    );
  });

  it('When rate limits are off, then every Ingress says none', function () {
    for (const document of render(false).filter((d) => d.kind === 'Ingress')) {
      assert.equal(document.metadata.annotations['shoal.dev/rate-limit'], 'none');
    }
  });
});
