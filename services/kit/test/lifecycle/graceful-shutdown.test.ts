import assert from 'node:assert/strict';
import { get } from 'node:http';
import { killIfRunning, listeningUrl, spawnNode } from '../support/child-process.ts';
import type { ServiceProcess } from '../support/child-process.ts';

const FIXTURE = 'test/fixtures/slow-service.ts';

/** Opens a fresh connection (no keep-alive pool) and resolves with the status, or the error code. */
function freshGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Whether `first` was logged before `second`. */
function loggedBefore(service: ServiceProcess, first: string, second: string): boolean {
  const messages = service.logs.map((line) => line['msg']);
  return messages.indexOf(first) !== -1 && messages.indexOf(first) < messages.indexOf(second);
}

describe('lifecycle: graceful shutdown in a child process', () => {
  let service: ServiceProcess | undefined;
  afterEach(() => killIfRunning(service));

  it('When SIGTERM arrives during a slow request, then readyz turns 503, new connections are refused, the request completes with 200 and the exit code is 0', async () => {
    service = spawnNode(FIXTURE, {
      SERVICE_NAME: 'slow',
      SHUTDOWN_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const url = await listeningUrl(service);
    await service.waitForLog((line) => line['msg'] === 'worker started');
    assert.equal(await freshGet(`${url}/readyz`), 200);

    const slow = fetch(`${url}/slow`);
    await service.waitForLog((line) => line['msg'] === 'slow request started');
    service.child.kill('SIGTERM');
    await service.waitForLog((line) => line['msg'] === 'draining: not ready, still serving');

    const duringDelay = await fetch(`${url}/readyz`);
    assert.equal(duringDelay.status, 503);
    assert.equal(duringDelay.headers.get('connection'), 'close');
    assert.equal(((await duringDelay.json()) as { status: string }).status, 'draining');

    await service.waitForLog(
      (line) => line['msg'] === 'stopped accepting connections; draining in-flight requests',
    );
    assert.equal(await freshGet(`${url}/livez`), 'ECONNREFUSED');

    service.child.kill('SIGUSR2');
    const response = await slow;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { done: true });

    assert.equal(await service.exited, 0);
    assert.ok(
      loggedBefore(service, 'worker stopped', 'pool closed'),
      'workers stop before pools close',
    );
    assert.ok(loggedBefore(service, 'pool closed', 'shutdown complete'));
    const done = service.logs.find((line) => line['msg'] === 'shutdown complete');
    assert.equal(done?.['exit_code'], 0);
  });

  it('When in-flight work outlasts SHUTDOWN_TIMEOUT_MS, then the connection is dropped, pools still close and the exit code is 1', async () => {
    service = spawnNode(FIXTURE, {
      SERVICE_NAME: 'slow',
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const url = await listeningUrl(service);
    const slow = fetch(`${url}/slow`).then(
      (response) => response.status,
      () => 'dropped',
    );
    await service.waitForLog((line) => line['msg'] === 'slow request started');
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 1);
    assert.equal(await slow, 'dropped');
    assert.ok(
      service.logs.some(
        (line) => line['msg'] === 'shutdown bound exceeded: dropping what is still in flight',
      ),
    );
    assert.ok(service.logs.some((line) => line['msg'] === 'pool closed'));
  });

  it('When a second signal arrives during shutdown, then the process exits 1 at once', async () => {
    service = spawnNode(FIXTURE, {
      SERVICE_NAME: 'slow',
      SHUTDOWN_DELAY_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '60000',
    });
    await listeningUrl(service);
    service.child.kill('SIGTERM');
    await service.waitForLog((line) => line['msg'] === 'draining: not ready, still serving');
    service.child.kill('SIGINT');
    assert.equal(await service.exited, 1);
    assert.ok(
      service.logs.some((line) => line['msg'] === 'second signal during shutdown, exiting now'),
    );
  });
});
