import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openApiRoute } from '../../src/http/openapi-route.ts';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

describe('http: the served OpenAPI contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kit-openapi-'));
  const file = join(dir, 'openapi.yaml');
  writeFileSync(
    file,
    [
      'openapi: 3.1.0',
      'info: { title: orders, version: 1.0.0 }',
      'paths:',
      '  /api/orders/{id}:',
      '    get:',
      "      responses: { '200': { description: one order } }",
    ].join('\n'),
  );
  let running: RunningTestService;
  before(async () => {
    running = await startTestService((app) => {
      app.use('/api/orders', openApiRoute(pathToFileURL(file)));
    });
  });
  after(async () => {
    await running.service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('When /openapi.json is fetched under the prefix, then the YAML contract comes back as cacheable JSON', async () => {
    const response = await fetch(`${running.url}/api/orders/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(Object.keys(document.paths), ['/api/orders/{id}']);
  });
});
