// Turns Ingress objects (from the API server or the routes file: the same shape) into routes.
// One bad Ingress is reported and skipped whole; it never takes the others down with it.
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import { parseRoutePolicy } from './route-policy.ts';
import type { RoutePolicy } from './route-policy.ts';
import type { PathType, Route } from './route-table.ts';

/** The Service a backend names. */
export interface ServiceBackend {
  namespace: string;
  name: string;
  port: number;
}

/** Where a Service's traffic goes; the gateway default is its cluster DNS name. */
export type BackendResolver = (backend: ServiceBackend) => URL;

/** An Ingress the gateway refused to serve, and why. */
export interface IngressProblem {
  ingress: string;
  error: string;
}

/** Routes from a set of Ingresses, with the ones that were refused. */
export interface IngressRoutes {
  routes: Route[];
  problems: IngressProblem[];
}

/** `http://<name>.<namespace>.svc.<clusterDomain>:<port>`. */
export function clusterDnsResolver(clusterDomain = 'cluster.local'): BackendResolver {
  return ({ namespace, name, port }) =>
    new URL(`http://${name}.${namespace}.svc.${clusterDomain}:${port}`);
}

/** Builds the routes of every Ingress given; invalid Ingresses land in `problems`. */
export function routesFromIngresses(
  ingresses: readonly V1Ingress[],
  defaults: RoutePolicy,
  resolve: BackendResolver,
): IngressRoutes {
  const routes: Route[] = [];
  const problems: IngressProblem[] = [];
  for (const ingress of ingresses) {
    const id = `${ingress.metadata?.namespace ?? 'default'}/${ingress.metadata?.name ?? '?'}`;
    try {
      routes.push(...routesFromIngress(ingress, defaults, resolve));
    } catch (error) {
      problems.push({ ingress: id, error: (error as Error).message });
    }
  }
  return { routes, problems };
}

/** The routes of one Ingress; throws with a clear message when any part of it is invalid. */
export function routesFromIngress(
  ingress: V1Ingress,
  defaults: RoutePolicy,
  resolve: BackendResolver,
): Route[] {
  const namespace = ingress.metadata?.namespace ?? 'default';
  const ingressName = ingress.metadata?.name;
  if (!ingressName) throw new Error('Ingress has no metadata.name');
  const source = `${namespace}/${ingressName}`;
  const policy = parseRoutePolicy(ingress.metadata?.annotations, defaults);
  const createdAt = creationTime(ingress);
  const upstreamOf = (backend: V1IngressBackend | undefined, where: string) => {
    const service = serviceBackend(backend, namespace, where);
    return { upstream: resolve(service), service: { namespace, name: service.name } };
  };

  const routes: Route[] = [];
  const defaultBackend = ingress.spec?.defaultBackend;
  if (defaultBackend) {
    routes.push({
      name: `${source} default`,
      source,
      host: undefined,
      path: '/',
      pathType: 'Prefix',
      fallback: true,
      ...upstreamOf(defaultBackend, 'spec.defaultBackend'),
      policy,
      createdAt,
    });
  }
  (ingress.spec?.rules ?? []).forEach((rule, ruleIndex) => {
    const host = rule.host === undefined || rule.host === '' ? undefined : rule.host.toLowerCase();
    if (host !== undefined && !isValidHost(host)) {
      throw new Error(`spec.rules[${ruleIndex}].host "${rule.host}" is not a DNS name or *.name`);
    }
    (rule.http?.paths ?? []).forEach((path, pathIndex) => {
      const where = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
      const rulePath = path.path ?? '/';
      if (!rulePath.startsWith('/'))
        throw new Error(`${where}.path "${rulePath}" must start with /`);
      routes.push({
        name: `${source} ${host ?? '*'}${rulePath}`,
        source,
        host,
        path: rulePath,
        pathType: pathTypeOf(path.pathType, where),
        fallback: false,
        ...upstreamOf(path.backend, `${where}.backend`),
        policy,
        createdAt,
      });
    });
  });
  return routes;
}

function serviceBackend(
  backend: V1IngressBackend | undefined,
  namespace: string,
  where: string,
): ServiceBackend {
  const service = backend?.service;
  if (!service?.name) {
    throw new Error(`${where} must name a service (resource backends are not supported)`);
  }
  const port = service.port?.number;
  if (port === undefined) {
    throw new Error(`${where}.service.port must be a number (port names are not supported)`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${where}.service.port.number ${port} is out of range`);
  }
  return { namespace, name: service.name, port };
}

function pathTypeOf(pathType: string | undefined, where: string): PathType {
  if (pathType === 'Exact') return 'Exact';
  if (pathType === 'Prefix' || pathType === 'ImplementationSpecific') return 'Prefix';
  throw new Error(`${where}.pathType must be Exact, Prefix or ImplementationSpecific`);
}

function creationTime(ingress: V1Ingress): number {
  const stamp = ingress.metadata?.creationTimestamp as Date | string | undefined;
  const ms = stamp === undefined ? NaN : new Date(stamp).getTime();
  return Number.isFinite(ms) ? ms : 0;
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
const HOST = new RegExp(`^(\\*\\.)?${DNS_LABEL}(\\.${DNS_LABEL})*$`);

function isValidHost(host: string): boolean {
  return host.length <= 253 && HOST.test(host);
}
