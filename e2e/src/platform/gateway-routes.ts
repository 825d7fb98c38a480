// The gateway's routes file for a local run: the same Ingress objects each service's chart
// renders (paths and `shoal.dev/*` policy read from charts/<service>/values.yaml), plus a
// LocalBackends document pointing each Service at the run's balancer for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** The route policy of a chart's `ingress.policy` (and of an extra route's override). */
interface ChartPolicy {
  auth?: string;
  rateLimit?: string;
  timeout?: string;
  bodyLimit?: string;
  corsOrigins?: string;
  /** X-Shoal-* headers clients may send on this route (e.g. a webhook's signature). */
  passHeaders?: string;
}

interface ChartIngress {
  enabled?: boolean;
  paths?: string[];
  pathType?: string;
  policy?: ChartPolicy;
  extraRoutes?: { name: string; paths: string[]; policy?: ChartPolicy }[];
}

/** A service the gateway routes to, and where its balancer listens. */
export interface RoutedService {
  readonly name: string;
  readonly url: string;
}

/** Options that bend the charts' policy for a run. */
export interface RouteOptions {
  /** false: `shoal.dev/rate-limit: none` everywhere (load and fault suites from one address). */
  readonly rateLimits: boolean;
}

/** The port every chart's Service exposes (values `service.port`). */
const SERVICE_PORT = 8080;

function chartIngress(repoRoot: string, service: string): ChartIngress {
  const values = parse(readFileSync(join(repoRoot, 'charts', service, 'values.yaml'), 'utf8')) as {
    ingress?: ChartIngress;
  };
  const ingress = values.ingress;
  if (!ingress?.paths?.length) {
    throw new Error(`charts/${service}/values.yaml has no ingress.paths`);
  }
  return ingress;
}

function annotations(policy: ChartPolicy, options: RouteOptions): Record<string, string> {
  const result: Record<string, string> = { 'shoal.dev/auth': policy.auth ?? 'required' };
  const rateLimit = options.rateLimits ? policy.rateLimit : 'none';
  if (rateLimit) result['shoal.dev/rate-limit'] = rateLimit;
  if (policy.timeout) result['shoal.dev/timeout'] = policy.timeout;
  if (policy.bodyLimit) result['shoal.dev/body-limit'] = policy.bodyLimit;
  if (policy.corsOrigins) result['shoal.dev/cors-origins'] = policy.corsOrigins;
  if (policy.passHeaders) result['shoal.dev/pass-headers'] = policy.passHeaders;
  return result;
}

function ingressObject(
  name: string,
  namespace: string,
  backend: string,
  paths: readonly string[],
  pathType: string,
  policy: ChartPolicy,
  options: RouteOptions,
): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, annotations: annotations(policy, options) },
    spec: {
      ingressClassName: 'shoal',
      rules: [
        {
          http: {
            paths: paths.map((path) => ({
              path,
              pathType,
              backend: { service: { name: backend, port: { number: SERVICE_PORT } } },
            })),
          },
        },
      ],
    },
  };
}

/** The routes file (YAML text) for `services`, with Ingresses in `namespace`. */
export function renderRoutesFile(
  repoRoot: string,
  namespace: string,
  services: readonly RoutedService[],
  options: RouteOptions,
): string {
  const documents: Record<string, unknown>[] = [
    {
      apiVersion: 'gateway.shoal.dev/v1',
      kind: 'LocalBackends',
      backends: Object.fromEntries(
        services.map((service) => [`${service.name}.${namespace}:${SERVICE_PORT}`, service.url]),
      ),
    },
  ];
  for (const service of services) {
    const ingress = chartIngress(repoRoot, service.name);
    const pathType = ingress.pathType ?? 'Prefix';
    const policy = ingress.policy ?? {};
    documents.push(
      ingressObject(
        service.name,
        namespace,
        service.name,
        ingress.paths ?? [],
        pathType,
        policy,
        options,
      ),
    );
    for (const extra of ingress.extraRoutes ?? []) {
      documents.push(
        ingressObject(
          `${service.name}-${extra.name}`,
          namespace,
          service.name,
          extra.paths,
          pathType,
          { ...policy, ...extra.policy },
          options,
        ),
      );
    }
  }
  return documents.map((document) => stringify(document)).join('---\n');
}

/** `auth=/api/auth/openapi.json, ...`: the gateway's /docs over every routed service's contract. */
export function docsOpenApiUrls(repoRoot: string, services: readonly RoutedService[]): string {
  return services
    .map(
      (service) =>
        `${service.name}=${chartIngress(repoRoot, service.name).paths?.[0]}/openapi.json`,
    )
    .join(',');
}
