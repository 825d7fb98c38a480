// Starts a real gateway in-process on 127.0.0.1 with a routes file written for the test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@shoal/kit';
import { defaultPolicy, gatewayConfigSchema } from '../../src/config.ts';
import { createGateway } from '../../src/gateway.ts';
import type { Gateway } from '../../src/gateway.ts';
import type { RouteSource } from '../../src/routes/route-source.ts';
import { RoutesFileSource } from '../../src/routes/routes-file.ts';
import { captureLogs } from './log-capture.ts';

/** A running gateway and what tests look at. */
export interface GatewayUnderTest {
  url: string;
  adminUrl: string;
  gateway: Gateway;
  /** Parsed access-log and other log lines. */
  logs(): Record<string, unknown>[];
  /** The routes file the gateway reads. */
  routesFile: string;
  /** Rewrites the routes file (the gateway reloads it). */
  writeRoutes(yaml: string): void;
  stop(): Promise<void>;
}

/** A route's backend in a routes file: one Service `name.ns:80` mapped to a local URL. */
export function routesYaml(options: {
  upstream: string;
  annotations?: Record<string, string>;
  paths?: { path: string; pathType?: string }[];
  host?: string;
  name?: string;
}): string {
  const name = options.name ?? 'echo';
  const annotations = Object.entries(options.annotations ?? {})
    .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`)
    .join('\n');
  const paths = (options.paths ?? [{ path: '/', pathType: 'Prefix' }])
    .map(
      (p) => `          - path: ${p.path}
            pathType: ${p.pathType ?? 'Prefix'}
            backend:
              service:
                name: ${name}
                port:
                  number: 80`,
    )
    .join('\n');
  return `apiVersion: gateway.shoal.dev/v1
kind: LocalBackends
backends:
  ${name}.default:80: ${options.upstream}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
  annotations:
${annotations || '    shoal.dev/none: ""'}
spec:
  ingressClassName: shoal
  rules:
    - ${options.host ? `host: ${options.host}\n      ` : ''}http:
        paths:
${paths}
`;
}

/** Starts a gateway with these env overrides (file routes unless `source` is given). */
export async function startGateway(options: {
  routes?: string;
  env?: Record<string, string>;
  source?: RouteSource;
}): Promise<GatewayUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, options.routes ?? '');
  const config = parseConfig(gatewayConfigSchema, {
    env: {
      SERVICE_NAME: 'gateway',
      ROUTES_FILE: file,
      DEFAULT_AUTH: 'none',
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...options.env,
    },
    envFile: false,
  });
  const capture = captureLogs();
  const source =
    options.source ??
    new RoutesFileSource({
      file,
      ingressClass: config.INGRESS_CLASS,
      defaults: defaultPolicy(config),
      logger: capture.logger,
    });
  const gateway = createGateway({
    config,
    source,
    logger: capture.logger,
    logStream: capture.stream,
  });
  const { url, adminUrl } = await gateway.start({
    port: 0,
    adminPort: 0,
    host: '127.0.0.1',
    handleSignals: false,
  });
  return {
    url,
    adminUrl,
    gateway,
    logs: capture.lines,
    routesFile: file,
    writeRoutes: (yaml) => writeFileSync(file, yaml),
    stop: () => gateway.stop(),
  };
}
