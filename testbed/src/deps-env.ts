// Where tests find the data dependencies that `make deps-up` started (testbed/deps.sh writes
// .testbed/deps.env at the repo root). Values already in process.env win, so CI or a developer
// can point a test run at other servers without touching the file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Connection settings for the testbed's PostgreSQL, FerretDB (MongoDB wire), ElasticMQ and Redis. */
export interface DepsEnv {
  /** postgres://shoal:shoal@127.0.0.1:55432/shoal */
  PG_URL: string;
  /** mongodb://127.0.0.1:57017/ (FerretDB) */
  MONGO_URL: string;
  /** http://127.0.0.1:59324 (ElasticMQ, AWS JSON protocol) */
  SQS_ENDPOINT: string;
  /** redis://127.0.0.1:56379 */
  REDIS_URL: string;
  AWS_REGION: string;
  /** Any value works for ElasticMQ; the AWS SDK only insists that credentials exist. */
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

const REQUIRED_KEYS = ['PG_URL', 'MONGO_URL', 'SQS_ENDPOINT', 'REDIS_URL', 'AWS_REGION'] as const;
const CREDENTIAL_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** Options for loadDepsEnv; the defaults are what tests want. */
export interface LoadDepsEnvOptions {
  /** Values that take precedence over the file (default: process.env). */
  env?: Record<string, string | undefined>;
  /** The env file to read (default: <repo root>/.testbed/deps.env). */
  file?: string;
}

/** Reads the testbed's connection settings; throws "run `make deps-up` first" when one is missing. */
export function loadDepsEnv(options: LoadDepsEnvOptions = {}): DepsEnv {
  const env = options.env ?? process.env;
  const file = options.file ?? join(findRepoRoot(), '.testbed', 'deps.env');
  const fromFile = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8'), file) : {};
  const pick = (key: string): string | undefined => {
    const value = env[key] ?? fromFile[key];
    return value === undefined || value === '' ? undefined : value;
  };
  const missing = REQUIRED_KEYS.filter((key) => pick(key) === undefined);
  if (missing.length > 0) {
    throw new Error(
      `testbed settings ${missing.join(', ')} not found in the environment or ${file}: run \`make deps-up\` first`,
    );
  }
  const required = Object.fromEntries(REQUIRED_KEYS.map((key) => [key, pick(key) as string]));
  const credentials = Object.fromEntries(CREDENTIAL_KEYS.map((key) => [key, pick(key) ?? 'x']));
  return { ...required, ...credentials } as unknown as DepsEnv;
}

/** Parses KEY=VALUE lines (blank lines and # comments allowed); a malformed line throws. */
export function parseEnvFile(text: string, source = 'env file'): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`${source}:${index + 1}: expected KEY=VALUE, got "${line}"`);
    values[match[1] as string] = match[2] as string;
  });
  return values;
}

/**
 * The repository root: the nearest directory above `startDir` (default: this file's) that
 * holds `.testbed` or the root package.json declaring the npm workspaces.
 */
export function findRepoRoot(startDir = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = startDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.testbed')) || declaresWorkspaces(join(dir, 'package.json'))) {
      return dir;
    }
    if (dirname(dir) === dir) {
      throw new Error(
        `no repository root (a .testbed dir or workspaces package.json) above ${startDir}`,
      );
    }
  }
}

function declaresWorkspaces(packageJsonPath: string): boolean {
  if (!existsSync(packageJsonPath)) return false;
  try {
    const parsed = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { workspaces?: unknown };
    return parsed.workspaces !== undefined;
  } catch {
    return false; // an unreadable package.json is not the root's
  }
}
