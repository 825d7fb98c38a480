import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { baseConfigSchema, envParsedWith } from '../../src/config/base-schema.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { secret } from '../../src/config/secret.ts';
import { spawnNode } from '../support/child-process.ts';

/** Parses the base schema from exactly `env`, without any .env file. */
function parseBase(env: Record<string, string>) {
  return parseConfig(baseConfigSchema, { env, envFile: false });
}

/** The ConfigError thrown by `fn`. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('config: loadConfig / parseConfig', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kit-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('When only SERVICE_NAME is set, then every other base value has its documented default', () => {
    assert.deepEqual(parseBase({ SERVICE_NAME: 'user' }), {
      SERVICE_NAME: 'user',
      PORT: 8080,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: 5000,
      SHUTDOWN_TIMEOUT_MS: 20_000,
      BODY_LIMIT: 100 * 1024,
      TRUST_PROXY: 'false',
    });
  });

  it('When values are given, then they are coerced to numbers and bytes', () => {
    const config = parseBase({
      SERVICE_NAME: 'user',
      PORT: '3000',
      BODY_LIMIT: '2mb',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      SHUTDOWN_DELAY_MS: '0',
    });
    assert.equal(config.PORT, 3000);
    assert.equal(config.BODY_LIMIT, 2 * 1024 * 1024);
    assert.equal(config.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://collector:4318');
    assert.equal(config.SHUTDOWN_DELAY_MS, 0);
  });

  it('When PORT is not a number, then the one-line message names it, the expectation and the value', () => {
    const error = configErrorOf(() => parseBase({ SERVICE_NAME: 'user', PORT: 'abc' }));
    assert.equal(error.message, 'config: PORT must be an integer between 1 and 65535 (got "abc")');
    assert.ok(!error.message.includes('\n'));
  });

  it('When a required variable is missing, then the message says it is missing and what is expected', () => {
    const error = configErrorOf(() => parseBase({}));
    assert.equal(
      error.message,
      'config: SERVICE_NAME is missing (expected a lowercase name like "user" or "user-service")',
    );
  });

  it('When several variables are bad, then one line names each of them once', () => {
    const error = configErrorOf(() =>
      parseBase({
        PORT: '70000',
        LOG_LEVEL: 'loud',
        BODY_LIMIT: '1gb',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
      }),
    );
    assert.deepEqual(error.problems, [
      'SERVICE_NAME is missing (expected a lowercase name like "user" or "user-service")',
      'PORT must be an integer between 1 and 65535 (got "70000")',
      'LOG_LEVEL must be one of error, warn, info, http, verbose, debug, silly (got "loud")',
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL like http://collector:4318 (got "ftp://x")',
      'BODY_LIMIT must be a size like 512b, 100kb or 1mb (got "1gb")',
    ]);
    assert.equal(error.message.split('\n').length, 1);
  });

  it('When a variable is empty, then it counts as unset and its default applies', () => {
    assert.equal(parseBase({ SERVICE_NAME: 'user', PORT: '' }).PORT, 8080);
  });

  it('When a service extends the base schema without descriptions, then zod’s message is the expectation', () => {
    const schema = baseConfigSchema.extend({ DATABASE_URL: z.url() });
    const error = configErrorOf(() =>
      parseConfig(schema, {
        env: { SERVICE_NAME: 'user', DATABASE_URL: 'not a url' },
        envFile: false,
      }),
    );
    assert.match(error.message, /^config: DATABASE_URL must be .+ \(got "not a url"\)$/);
  });

  it('When a variable has its own parser, then its value is parsed, and a value it refuses makes the one config line', () => {
    const schema = baseConfigSchema.extend({
      ORIGINS: envParsedWith((text) => {
        const origins = text.split(',');
        if (origins.some((origin) => !origin.startsWith('https://'))) {
          throw new Error('every origin must start with https://');
        }
        return origins;
      }, 'a comma-separated list of https:// origins'),
    });
    const parse = (ORIGINS: string) =>
      parseConfig(schema, { env: { SERVICE_NAME: 'user', ORIGINS }, envFile: false });
    assert.deepEqual(parse('https://a.example,https://b.example').ORIGINS, [
      'https://a.example',
      'https://b.example',
    ]);
    const error = configErrorOf(() => parse('http://a.example'));
    assert.equal(
      error.message,
      'config: ORIGINS must be a comma-separated list of https:// origins (got "http://a.example")',
    );
  });

  it('When a secret variable has a bad value, then the line names it and the length, never the value', () => {
    const schema = baseConfigSchema.extend({
      SIGNING_KEY: secret(z.string().min(32).describe('at least 32 characters')),
      // The mark may sit inside or outside .optional()/.default() and on pipes.
      DB_PASSWORD: secret(z.string().regex(/^\S+$/)).optional(),
      API_TOKEN: z
        .string()
        .regex(/^tok_/)
        .transform((token) => token.slice(4))
        .meta({ secret: true })
        .default('tok_default'),
    });
    const error = configErrorOf(() =>
      parseConfig(schema, {
        env: {
          SERVICE_NAME: 'user',
          SIGNING_KEY: 'hunter2',
          DB_PASSWORD: 'pass word',
          API_TOKEN: 'x',
        },
        envFile: false,
      }),
    );
    assert.equal(
      error.problems[0],
      'SIGNING_KEY must be at least 32 characters (got a value of 7 characters)',
    );
    assert.match(
      error.problems[1] ?? '',
      /^DB_PASSWORD must be .+ \(got a value of 9 characters\)$/,
    );
    assert.match(error.problems[2] ?? '', /^API_TOKEN must be .+ \(got a value of 1 character\)$/);
    for (const value of ['hunter2', 'pass word', '"x"']) {
      assert.ok(!error.message.includes(value), `the message must not contain ${value}`);
    }
  });

  it('When secret variables are valid, then they parse like any other (the mark changes only errors)', () => {
    const schema = baseConfigSchema.extend({
      SIGNING_KEY: secret(z.string().min(8)),
      API_TOKEN: z.string().meta({ secret: true }).default('none'),
    });
    const config = parseConfig(schema, {
      env: { SERVICE_NAME: 'user', SIGNING_KEY: 'long enough' },
      envFile: false,
    });
    assert.equal(config.SIGNING_KEY, 'long enough');
    assert.equal(config.API_TOKEN, 'none');
  });

  it('When a process starts with a bad secret, then stderr has the variable and length but not the value', async () => {
    const child = spawnNode('test/fixtures/config-exit.ts', {
      SERVICE_NAME: 'user',
      FIXTURE_SECRET: 'sk_live_123',
    });
    assert.equal(await child.exited, 1);
    assert.equal(
      child.stderr(),
      'config: FIXTURE_SECRET must be a key starting with "whsec_" (got a value of 11 characters)\n',
    );
  });

  it('When a .env file and the environment both set a variable, then the environment wins', () => {
    const file = join(dir, 'wins.env');
    writeFileSync(file, 'SERVICE_NAME=from-file\nPORT=1111\nLOG_LEVEL=debug\n');
    const config = parseConfig(baseConfigSchema, { env: { PORT: '2222' }, envFile: file });
    assert.equal(config.SERVICE_NAME, 'from-file');
    assert.equal(config.PORT, 2222);
    assert.equal(config.LOG_LEVEL, 'debug');
  });

  it('When the .env file does not exist, then only the environment is used', () => {
    const config = parseConfig(baseConfigSchema, {
      env: { SERVICE_NAME: 'user' },
      envFile: join(dir, 'none.env'),
    });
    assert.equal(config.SERVICE_NAME, 'user');
  });

  it('When the .env path cannot be read, then the ConfigError says so', () => {
    const error = configErrorOf(() => parseConfig(baseConfigSchema, { env: {}, envFile: dir }));
    assert.match(error.message, /^config: cannot read .+kit-config-/);
  });

  it('When the schema is not an object, then the issue is reported under (config)', () => {
    const error = configErrorOf(() =>
      parseConfig(
        z.object({}).refine(() => false, 'never valid'),
        { env: {}, envFile: false },
      ),
    );
    assert.equal(error.message, 'config: (config) is missing (expected never valid)');
  });

  it('When a process starts with a bad PORT, then it prints one line to stderr and exits 1', async () => {
    const child = spawnNode('test/fixtures/config-exit.ts', { SERVICE_NAME: 'user', PORT: 'abc' });
    assert.equal(await child.exited, 1);
    assert.equal(
      child.stderr(),
      'config: PORT must be an integer between 1 and 65535 (got "abc")\n',
    );
  });

  it('When a process starts with a good config, then it runs normally', async () => {
    const child = spawnNode('test/fixtures/config-exit.ts', { SERVICE_NAME: 'user', PORT: '1234' });
    assert.equal(await child.exited, 0);
    assert.deepEqual(child.logs, [{ port: 1234 }]);
  });
});
