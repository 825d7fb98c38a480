// loadDepsEnv and uniqueName, on real files in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot, loadDepsEnv, parseEnvFile, uniqueName } from '../src/index.ts';

const COMPLETE_FILE = [
  '# written by testbed/deps.sh up',
  'PG_URL=postgres://shoal:shoal@127.0.0.1:55432/shoal',
  'MONGO_URL=mongodb://127.0.0.1:57017/',
  'SQS_ENDPOINT=http://127.0.0.1:59324',
  'REDIS_URL=redis://127.0.0.1:56379',
  'AWS_REGION=us-east-1',
  '',
].join('\n');

describe('loadDepsEnv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deps-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('When the file holds every setting, then they are returned with default credentials', () => {
    const file = join(dir, 'deps.env');
    writeFileSync(file, COMPLETE_FILE);
    const env = loadDepsEnv({ file, env: {} });
    assert.equal(env.PG_URL, 'postgres://shoal:shoal@127.0.0.1:55432/shoal');
    assert.equal(env.SQS_ENDPOINT, 'http://127.0.0.1:59324');
    assert.equal(env.AWS_ACCESS_KEY_ID, 'x');
  });

  it('When process.env sets a value, then it wins over the file', () => {
    const file = join(dir, 'deps.env');
    writeFileSync(file, COMPLETE_FILE);
    const env = loadDepsEnv({ file, env: { REDIS_URL: 'redis://elsewhere:6379' } });
    assert.equal(env.REDIS_URL, 'redis://elsewhere:6379');
    assert.equal(env.MONGO_URL, 'mongodb://127.0.0.1:57017/');
  });

  it('When there is no file and no environment, then it says to run make deps-up', () => {
    assert.throws(
      () => loadDepsEnv({ file: join(dir, 'absent.env'), env: {} }),
      /PG_URL, MONGO_URL, SQS_ENDPOINT, REDIS_URL, AWS_REGION .*run `make deps-up` first/,
    );
  });

  it('When one setting is empty, then it is reported as missing', () => {
    const file = join(dir, 'deps.env');
    writeFileSync(file, COMPLETE_FILE.replace('REDIS_URL=redis://127.0.0.1:56379', 'REDIS_URL='));
    assert.throws(() => loadDepsEnv({ file, env: {} }), /settings REDIS_URL not found/);
  });
});

describe('parseEnvFile', () => {
  it('When a line is not KEY=VALUE, then the error names the source and line', () => {
    assert.throws(
      () => parseEnvFile('A=1\nnot a setting\n', 'deps.env'),
      /deps\.env:2: expected KEY=VALUE/,
    );
  });

  it('When a value holds = signs, then everything after the first = is the value', () => {
    assert.deepEqual(parseEnvFile('URL=http://h/?a=b\n'), { URL: 'http://h/?a=b' });
  });
});

describe('findRepoRoot', () => {
  it('When started from this package, then it finds the workspace root', () => {
    const root = findRepoRoot(import.meta.dirname);
    assert.ok(existsSync(join(root, 'testbed', 'deps.sh')), `${root} is not the repository root`);
  });
});

describe('uniqueName', () => {
  it('When called twice with one prefix, then the names differ and keep the prefix', () => {
    const first = uniqueName('orders');
    const second = uniqueName('orders');
    assert.match(first, /^orders-[0-9a-f]{8}$/);
    assert.notEqual(first, second);
  });

  it('When asked for an SQL-safe name, then it joins with an underscore', () => {
    assert.match(uniqueName('reporting', '_'), /^reporting_[0-9a-f]{8}$/);
  });

  it('When the prefix is not a plain lowercase name, then it throws', () => {
    assert.throws(() => uniqueName('Orders; DROP'), /must start with a lowercase letter/);
    assert.throws(() => uniqueName(''), /must start with a lowercase letter/);
  });
});
