import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { isMarkedSecret } from './secret.ts';

/** Where the configuration comes from; both default to the real process. */
export interface ConfigSources {
  /** Variables that win over the file (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** A dotenv file to read first; a missing file is fine (default: `.env` in the cwd). */
  envFile?: string | false;
}

/** Reads a dotenv file, or nothing when it does not exist. */
function readEnvFile(path: string): Record<string, string> {
  try {
    return parseDotenv(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`cannot read ${path}: ${(error as Error).message}`]);
  }
}

/** A variable's schema and every schema it wraps (`.default()`, `.optional()`, pipes), outside in. */
function* fieldLayers(schema: z.ZodType, key: string | undefined): Generator<z.ZodType> {
  if (key === undefined || !(schema instanceof z.ZodObject)) return;
  let field = (schema.shape as Record<string, z.ZodType | undefined>)[key];
  while (field !== undefined) {
    yield field;
    const def = field.def as { innerType?: z.ZodType; in?: z.ZodType };
    field = def.innerType ?? def.in;
  }
}

/** The expectation printed for a variable: its schema description, else zod's own message. */
function expectationOf(schema: z.ZodType, key: string | undefined): string | undefined {
  for (const layer of fieldLayers(schema, key)) {
    if (layer.description !== undefined) return layer.description;
  }
  return undefined;
}

/** Whether the variable is marked secret (`secret()` / `.meta({ secret: true })`) at any layer. */
function isSecretVariable(schema: z.ZodType, key: string | undefined): boolean {
  for (const layer of fieldLayers(schema, key)) if (isMarkedSecret(layer)) return true;
  return false;
}

/** What the error line shows of a bad value: the value itself, or only the length of a secret. */
function describeValue(value: string, isSecret: boolean): string {
  if (!isSecret) return JSON.stringify(value);
  return `a value of ${value.length} character${value.length === 1 ? '' : 's'}`;
}

/** One human line per bad variable, naming it, what was expected and what was found. */
function describeIssues(
  schema: z.ZodType,
  issues: readonly z.core.$ZodIssue[],
  merged: Record<string, string | undefined>,
): string[] {
  const lines = new Map<string, string>();
  for (const issue of issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    const name = key ?? '(config)';
    if (lines.has(name)) continue;
    const expected = expectationOf(schema, key) ?? issue.message;
    const value = key === undefined ? undefined : merged[key];
    lines.set(
      name,
      value === undefined
        ? `${name} is missing (expected ${expected})`
        : `${name} must be ${expected} (got ${describeValue(value, isSecretVariable(schema, key))})`,
    );
  }
  return [...lines.values()];
}

/**
 * Parses the environment (the `.env` file, overridden by real variables) with `schema`.
 * Empty values count as unset. Throws a ConfigError naming every bad variable.
 */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  sources: ConfigSources = {},
): z.infer<Schema> {
  const fromFile = sources.envFile === false ? {} : readEnvFile(sources.envFile ?? '.env');
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(sources.env ?? process.env)) {
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, value] of Object.entries(merged)) {
    if (value === '') delete merged[key];
  }
  const result = schema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(schema, result.error.issues, merged));
  return result.data;
}

/**
 * Like parseConfig, but a bad configuration prints its one line to stderr and exits 1:
 * a process that cannot configure itself should not start.
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  sources: ConfigSources = {},
): z.infer<Schema> {
  try {
    return parseConfig(schema, sources);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return process.exit(1);
  }
}
