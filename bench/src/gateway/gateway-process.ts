// The gateway under benchmark: ingress/src/main.ts as its own process, routes from a file,
// JWT verification against a JWKS served by the benchmark, rate limits in the testbed Redis.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A running gateway. */
export interface GatewayProcess {
  child: ChildProcess;
  port: number;
}

/** Options of one gateway run. */
export interface GatewayRunOptions {
  /** Repository root (ingress/src/main.ts lives below it). */
  root: string;
  /** Where the routes file is written. */
  dir: string;
  port: number;
  adminPort: number;
  upstreamPort: number;
  jwksUrl: string;
  redisUrl: string;
  /** Load the kit's OpenTelemetry preload (spans made, nothing exported). */
  tracing: boolean;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

/** Starts the gateway and waits until /readyz says it has its routes. */
export async function startGateway(options: GatewayRunOptions): Promise<GatewayProcess> {
  const routes = join(options.dir, 'routes.yaml');
  writeFileSync(
    routes,
    `apiVersion: gateway.shoal.dev/v1
kind: LocalBackends
backends:
  hello.bench:80: http://127.0.0.1:${options.upstreamPort}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: hello
  namespace: bench
  annotations:
    shoal.dev/auth: required
    shoal.dev/rate-limit: 100000000/m
spec:
  ingressClassName: shoal
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: hello
                port:
                  number: 80
`,
  );
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.tracing ? ['--import', '@shoal/kit/telemetry/register'] : []),
    join(options.root, 'ingress', 'src', 'main.ts'),
  ];
  // Log lines go to a file (like a container's log, but without a reader competing for CPU),
  // so a gateway that fails to start can say why.
  const logFile = join(options.dir, options.tracing ? 'gateway-traced.log' : 'gateway.log');
  const logFd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, {
    cwd: join(options.root, 'ingress'),
    stdio: ['ignore', logFd, 'inherit'],
    env: {
      ...process.env,
      NODE_OPTIONS: '--conditions=shoal-source',
      SERVICE_NAME: 'gateway',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      ADMIN_PORT: String(options.adminPort),
      ROUTE_SOURCE: 'file',
      ROUTES_FILE: routes,
      JWKS_URL: options.jwksUrl,
      REDIS_URL: options.redisUrl,
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: process.env['GATEWAY_BENCH_LOG_LEVEL'] ?? 'info',
    },
  });
  closeSync(logFd); // the child has its own copy
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) {
      const log = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`gateway exited with ${child.exitCode}; its last log lines:\n${log}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${options.adminPort}/readyz`);
      if (res.ok) return { child, port: options.port };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('gateway did not become ready');
}
