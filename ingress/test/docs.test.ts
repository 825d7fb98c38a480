import assert from 'node:assert/strict';
import { startGateway } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { parseOpenApiUrls } from '../src/docs/swagger-docs.ts';

describe("/docs: Swagger UI over the services' contracts", () => {
  let gateway: GatewayUnderTest;

  before(async () => {
    gateway = await startGateway({
      env: { DOCS_OPENAPI_URLS: 'auth=/api/auth/openapi.json, user=/api/users/openapi.json' },
    });
  });
  after(async () => {
    await gateway.stop();
  });

  it('When /docs is opened, then Swagger UI is served from the package (no CDN) and lists every contract', async () => {
    const redirect = await httpCall(`${gateway.url}/docs`);
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/docs/');
    const page = await httpCall(`${gateway.url}/docs/`);
    assert.equal(page.status, 200);
    assert.match(page.text, /swagger-ui-bundle\.js/);
    assert.doesNotMatch(page.text, /https?:\/\/(cdn|unpkg)/);
    const bundle = await httpCall(`${gateway.url}/docs/swagger-ui-bundle.js`);
    assert.equal(bundle.status, 200);
    const initializer = await httpCall(`${gateway.url}/docs/swagger-initializer.js`);
    assert.match(initializer.text, /"name":"auth","url":"\/api\/auth\/openapi.json"/);
    assert.match(initializer.text, /"name":"user","url":"\/api\/users\/openapi.json"/);
    assert.doesNotMatch(initializer.text, /petstore/);
  });

  it('When the contract list is malformed, then it is refused with the offending pair named', () => {
    assert.throws(() => parseOpenApiUrls('auth=/ok, broken'), /"broken" is not name=\/path/);
    assert.throws(() => parseOpenApiUrls('x=javascript:alert(1)'), /is not name=\/path/);
  });
});
