// The registry probe and the image source `shoal up` derives from it. Every request goes to
// 127.0.0.1 only: a local server plays the registry (401 like Docker Hub, or silence), a
// closed port plays a machine without any.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseImageSource, imageSourceLine } from '../src/bootstrap/image-source.ts';
import {
  defaultBaseImage,
  probeRegistry,
  registryApiUrl,
} from '../src/bootstrap/registry-probe.ts';
import type { RegistryProbe } from '../src/bootstrap/registry-probe.ts';
import { closedPortUrl, localRegistry as registry } from './support/local-registry.ts';

describe('registry probe', () => {
  it('When the registry answers 401 (it wants a token, like Docker Hub), 200 or even 503, then it answers (as make kind-up judges it)', async () => {
    for (const status of [401, 200, 503]) {
      const server = await registry(status);
      try {
        const probe = await probeRegistry(server.url);
        assert.deepEqual(probe, { url: server.url, answers: true, detail: `HTTP ${status}` });
      } finally {
        await server.close();
      }
    }
  });

  it('When nothing listens on the port, then no registry answers and the reason is the network error', async () => {
    const url = await closedPortUrl();
    const probe = await probeRegistry(url);
    assert.equal(probe.answers, false);
    assert.equal(probe.detail, 'ECONNREFUSED');
  });

  it('When the server never answers, then the probe gives up after its timeout', async () => {
    const server = await registry(null);
    try {
      const started = performance.now();
      const probe = await probeRegistry(server.url, 300);
      assert.equal(probe.answers, false);
      assert.equal(probe.detail, 'no answer within 0.3s');
      assert.ok(performance.now() - started < 2_000);
    } finally {
      await server.close();
    }
  });
});

describe('which registry to ask', () => {
  it("When the Dockerfile sets a default NODE_IMAGE, then it is the base image; the repository's is on Docker Hub", () => {
    const directory = mkdtempSync(join(tmpdir(), 'shoal-probe-'));
    const dockerfile = join(directory, 'Dockerfile');
    writeFileSync(dockerfile, '# syntax=docker/dockerfile:1\nARG NODE_IMAGE=quay.io/x/node:24\n');
    assert.equal(defaultBaseImage(dockerfile), 'quay.io/x/node:24');
    assert.equal(defaultBaseImage(join(directory, 'missing')), 'docker.io/library/node:24');
    const repository = defaultBaseImage(new URL('../../Dockerfile', import.meta.url).pathname);
    assert.equal(registryApiUrl(repository), 'https://registry-1.docker.io/v2/');
  });

  it('When an image names a registry host, then that host is asked; otherwise Docker Hub', () => {
    const cases: [image: string, url: string][] = [
      ['node:24', 'https://registry-1.docker.io/v2/'],
      ['library/node:24', 'https://registry-1.docker.io/v2/'],
      ['docker.io/library/node:24', 'https://registry-1.docker.io/v2/'],
      ['ghcr.io/org/node:24', 'https://ghcr.io/v2/'],
      ['localhost:5000/node:24', 'https://localhost:5000/v2/'],
      ['localhost/node', 'https://localhost/v2/'],
    ];
    for (const [image, url] of cases) assert.equal(registryApiUrl(image), url, image);
  });
});

describe('image source of shoal up', () => {
  const dockerfile = new URL('../../Dockerfile', import.meta.url).pathname;
  const verdict =
    (answers: boolean, asked: string[] = []) =>
    (url: string): Promise<RegistryProbe> => {
      asked.push(url);
      return Promise.resolve({
        url,
        answers,
        detail: answers ? 'HTTP 401' : 'ENOTFOUND',
      });
    };

  it('When --env names an environment, then it is used as given and no registry is asked', async () => {
    const asked: string[] = [];
    const source = await chooseImageSource({
      explicitEnvironment: 'kind',
      dockerfile,
      env: {},
      probe: verdict(false, asked),
    });
    assert.deepEqual(source, { mode: 'explicit', environment: 'kind' });
    assert.deepEqual(asked, []);
    assert.equal(imageSourceLine(source), undefined);
  });

  it("When the Dockerfile's registry answers, then the platform file's default environment is used", async () => {
    const asked: string[] = [];
    const source = await chooseImageSource({
      explicitEnvironment: undefined,
      dockerfile,
      env: {},
      probe: verdict(true, asked),
    });
    assert.equal(source.mode, 'online');
    assert.equal(source.environment, undefined);
    assert.deepEqual(asked, ['https://registry-1.docker.io/v2/']);
    assert.equal(
      imageSourceLine(source),
      'registry registry-1.docker.io answers (HTTP 401): images build from their registries',
    );
  });

  it('When no registry answers, then kind-offline is chosen and one line says why', async () => {
    const source = await chooseImageSource({
      explicitEnvironment: undefined,
      dockerfile,
      env: {},
      probe: verdict(false),
    });
    assert.equal(source.mode, 'offline');
    assert.equal(source.environment, 'kind-offline');
    const line = imageSourceLine(source) ?? '';
    assert.equal(
      line,
      'no container registry answers (registry-1.docker.io: ENOTFOUND): using the offline image set, environment kind-offline',
    );
    assert.doesNotMatch(line, /\n/);
  });

  it('When SHOAL_REGISTRY_PROBE_URL is set, then that URL is asked, with the real probe: a local 401 is online, a closed port offline', async () => {
    const server = await registry(401);
    try {
      const online = await chooseImageSource({
        explicitEnvironment: undefined,
        dockerfile,
        env: { SHOAL_REGISTRY_PROBE_URL: server.url },
      });
      assert.equal(online.mode, 'online');
      assert.equal(online.registry?.url, server.url);
    } finally {
      await server.close();
    }
    const offline = await chooseImageSource({
      explicitEnvironment: undefined,
      dockerfile,
      env: { SHOAL_REGISTRY_PROBE_URL: await closedPortUrl() },
    });
    assert.equal(offline.mode, 'offline');
    assert.equal(offline.environment, 'kind-offline');
  });
});
