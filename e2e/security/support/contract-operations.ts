// Every operation of every service's HTTP contract (services/<name>/openapi.yaml), so the
// authorization matrices cover a route the moment it is written into a contract.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ServiceName } from '../../src/index.ts';

/** One method on one path of a service's contract. */
export interface ContractOperation {
  readonly service: ServiceName;
  /** Upper case: GET, POST, PATCH... */
  readonly method: string;
  /** The templated path: `/api/users/{id}`. */
  readonly path: string;
  /** Whether the contract asks for a bearer token (`security: [{ bearer: [] }]`, alone or first). */
  readonly bearer: boolean;
  /** Whether a request without any credentials is allowed too (`{}` among the options). */
  readonly anonymousAllowed: boolean;
  /** `{id}`, `{source}`: the path parameters, in order. */
  readonly pathParameters: readonly string[];
  readonly summary: string;
  /** The statuses the contract lists. */
  readonly statuses: readonly string[];
  /** Whether it takes a JSON request body. */
  readonly jsonBody: boolean;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

interface RawOperation {
  security?: Record<string, unknown>[];
  summary?: string;
  responses?: Record<string, unknown>;
  requestBody?: { content?: Record<string, unknown> };
}

/** The contract document of a service. */
export function contractFile(repoRoot: string, service: ServiceName): string {
  return join(repoRoot, 'services', service, 'openapi.yaml');
}

/** Every operation of `service`'s contract. */
export function contractOperations(repoRoot: string, service: ServiceName): ContractOperation[] {
  const document = parse(readFileSync(contractFile(repoRoot, service), 'utf8')) as {
    security?: Record<string, unknown>[];
    paths: Record<string, Record<string, RawOperation>>;
  };
  const operations: ContractOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const security = operation.security ?? document.security ?? [];
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        bearer: security.some((requirement) => 'bearer' in requirement),
        anonymousAllowed:
          security.length === 0 || security.some((r) => Object.keys(r).length === 0),
        pathParameters: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string),
        summary: operation.summary ?? '',
        statuses: Object.keys(operation.responses ?? {}),
        jsonBody: Object.keys(operation.requestBody?.content ?? {}).some((type) =>
          type.includes('json'),
        ),
      });
    }
  }
  return operations;
}

/** `GET /api/users/{id}` for messages. */
export function describeOperation(operation: ContractOperation): string {
  return `${operation.method} ${operation.path} (${operation.service})`;
}
