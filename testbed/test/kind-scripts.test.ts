// testbed/kind's scripts where they must refuse: one line naming what is wrong, a non-zero
// exit, nothing started. Run against a private state directory, never the real cluster's.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../src/index.ts';

const KIND_DIR = join(findRepoRoot(), 'testbed', 'kind');

/** A PATH with the basic tools the scripts use, and no docker, dockerd or apt-get. */
function pathWithoutDocker(dir: string): string {
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  for (const tool of [
    'bash',
    'awk',
    'sed',
    'grep',
    'cat',
    'mkdir',
    'dirname',
    'date',
    'tail',
    'head',
    'tr',
    'cut',
    'sha256sum',
    'flock',
    'node',
    'ls',
    'sort',
    'pgrep',
  ]) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], {
      encoding: 'utf8',
    }).stdout.trim();
    if (found) symlinkSync(found, join(bin, tool));
  }
  return bin;
}

describe('testbed/kind scripts, when they must refuse', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kind-scripts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('When no Docker engine answers and none can be installed, then engine.sh up says what to install in one line and exits non-zero', () => {
    const run = spawnSync(join(KIND_DIR, 'engine.sh'), ['up'], {
      encoding: 'utf8',
      env: {
        PATH: pathWithoutDocker(dir),
        HOME: dir,
        SHOAL_KIND_STATE: join(dir, 'state'),
        SHOAL_CACHE: join(dir, 'cache'),
        DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}`,
      },
    });
    assert.notEqual(run.status, 0);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0] ?? '',
      /^kind: no Docker engine answers and none can be installed here .*install Docker Engine/,
    );
  });

  it('When a kind-up is already running, then a second one is refused naming the holder, and starts nothing', async () => {
    const state = join(dir, 'state');
    spawnSync('mkdir', ['-p', state]);
    const lockFile = join(state, 'up.lock');
    writeFileSync(lockFile, 'pid 4242 (make kind-up) since 10:00:00\n');
    // The first kind-up: a process holding the lock, as kind.sh's own flock does.
    const holder = spawn('flock', [lockFile, 'sleep', '30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const run = spawnSync(join(KIND_DIR, 'kind.sh'), ['up'], {
        encoding: 'utf8',
        env: { ...process.env, SHOAL_KIND_STATE: state, SHOAL_CACHE: join(dir, 'cache') },
      });
      assert.equal(run.status, 1, run.stderr);
      assert.equal(
        run.stderr.trim(),
        'kind: another kind-up is running (holder: pid 4242 (make kind-up) since 10:00:00); wait for it or stop it',
      );
    } finally {
      holder.kill();
    }
  });
});
