// The whole platform on this machine as child processes: the services that exist in the
// checkout and the gateway, each behind its own balancer, with a run's own databases, queues,
// secrets and log files. `make dev`, the journeys and the reliability and security suites all
// start it through startPlatform().
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot, loadDepsEnv } from '@shoal/testbed';
import type { DepsEnv } from '@shoal/testbed';
import { COMPONENTS, mainFile, presentServices } from './components.ts';
import type { ComponentName, ServiceName, SmtpTarget, WiringContext } from './components.ts';
import { startEndpointBalancer } from './endpoint-balancer.ts';
import type { EndpointBalancer } from './endpoint-balancer.ts';
import { docsOpenApiUrls, renderRoutesFile } from './gateway-routes.ts';
import { PlatformComponent } from './platform-component.ts';
import { generateSecrets } from './platform-secrets.ts';
import type { AdminAccount, PlatformSecrets } from './platform-secrets.ts';
import { provisionRunResources, removeRunResources } from './run-resources.ts';
import { runNames } from './run-names.ts';
import type { RunNames } from './run-names.ts';
import type { InstanceExit, ServiceInstance } from './service-instance.ts';
import { startSmtpSink } from './smtp-sink.ts';
import type { SmtpSink } from './smtp-sink.ts';

/** How to start the platform; every field has a default fit for a test run. */
export interface PlatformOptions {
  /** Prefix of the run's names (`e2e`, `dev`, `rel`...): 1-12 lowercase letters and digits. */
  kind?: string;
  /** Which services to run (default: every service whose package exists). */
  services?: readonly ServiceName[];
  /** Instances per component at start (default 1 each). */
  replicas?: Partial<Record<ComponentName, number>>;
  /** The data dependencies (default: loadDepsEnv(), i.e. `make deps-up`'s). */
  deps?: DepsEnv;
  /** The gateway's public port on 127.0.0.1 (default 0: any free port; `make dev`: 8080). */
  gatewayPort?: number;
  /** OTLP/HTTP base URL for traces (default: none, nothing exported). */
  otlpEndpoint?: string;
  /** Where the notification service sends mail (default: an SMTP sink the platform runs). */
  smtp?: SmtpTarget;
  /** Extra environment per component, applied last (wins over the wiring). */
  env?: Partial<Record<ComponentName, Record<string, string>>>;
  /** The charts' per-route rate limits at the gateway (default true). */
  rateLimits?: boolean;
  /** LOG_LEVEL of every process (default info). */
  logLevel?: string;
  /** SHUTDOWN_DELAY_MS of every process (default 1000: the balancer drops an instance first). */
  shutdownDelayMs?: number;
  /** A dotenv file that may set AUTH_ADMIN_EMAIL/PASSWORD (default: none, generated). */
  adminEnvFile?: string;
  /** auth's PASSWORD_SCRYPT_PARAMS (default N=1024,r=8,p=1: cheap, for tests only). */
  scryptParams?: string;
  /** Keep the run's databases and queues at stop (default false: removed). */
  keepData?: boolean;
  /**
   * Give each process its own process group (default false): `make dev` handles Ctrl-C itself
   * and stops the instances in order; a test run's Ctrl-C should end its children too.
   */
  ownProcessGroups?: boolean;
  /** Told when an instance exits without being asked to (a crash). */
  onCrash?: (instance: ServiceInstance, exit: InstanceExit) => void;
}

/** A running platform. */
export interface Platform {
  readonly runId: string;
  readonly names: RunNames;
  readonly repoRoot: string;
  /** `.testbed/platform/<runId>`: routes file, logs/. */
  readonly stateDir: string;
  readonly logDir: string;
  /** The public entry: `http://127.0.0.1:<port>` of the gateway's balancer. */
  readonly gatewayUrl: string;
  readonly deps: DepsEnv;
  readonly secrets: PlatformSecrets;
  readonly admin: AdminAccount;
  /** The services running in this run, in start order. */
  readonly services: readonly ServiceName[];
  /** The SMTP sink, when the platform runs its own (no `smtp` option). */
  readonly mail: SmtpSink | undefined;
  /** A component (service or gateway) by name; throws when it is not part of the run. */
  component(name: ComponentName): PlatformComponent;
  /** Shorthand for component(name).instances(). */
  instances(name: ComponentName): ServiceInstance[];
  /** Whether a service runs in this run. */
  has(name: ServiceName): boolean;
  /** Every log file written so far (one per instance; restarts append). */
  logFiles(): string[];
  /** Stops everything (gateway first, then services), closes balancers, removes the run's data. */
  stop(): Promise<void>;
}

const DEFAULT_SCRYPT_PARAMS = 'N=1024,r=8,p=1';

/** Starts the platform and resolves once every instance's /readyz answers 200. */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const repoRoot = findRepoRoot();
  const deps = options.deps ?? loadDepsEnv();
  const names = runNames(options.kind ?? 'e2e');
  const services = [...(options.services ?? presentServices(repoRoot))];
  if (!services.includes('auth')) throw new Error('startPlatform: the auth service is required');
  const secrets = generateSecrets(options.adminEnvFile);
  const stateDir = join(repoRoot, '.testbed', 'platform', names.runId);
  const logDir = join(stateDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const cleanups: (() => Promise<unknown>)[] = [];
  const components = new Map<ComponentName, PlatformComponent>();
  let mail: SmtpSink | undefined;
  let stopped: Promise<void> | undefined;

  // Last resort when the launching process dies without stop() (an uncaught exception, a
  // process.exit): its children must not outlive it holding ports and queues.
  const killChildren = () => {
    for (const component of components.values()) {
      for (const instance of component.instances()) {
        try {
          if (instance.pid !== undefined) process.kill(instance.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  process.once('exit', killChildren);

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', killChildren);
      await components.get('gateway')?.stopAll();
      await Promise.all(
        [...components.values()].filter((c) => c.name !== 'gateway').map((c) => c.stopAll()),
      );
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    })();
    return stopped;
  };

  try {
    await provisionRunResources(deps, names, services);
    if (!options.keepData) cleanups.push(() => removeRunResources(deps, names, services));

    if (options.smtp === undefined) {
      const sink = await startSmtpSink();
      mail = sink;
      cleanups.push(() => sink.close());
    }
    const smtp = options.smtp ?? { host: '127.0.0.1', port: mail?.port ?? 0 };

    const balancers = new Map<ComponentName, EndpointBalancer>();
    for (const name of [...services, 'gateway'] as const) {
      const balancer = await startEndpointBalancer(
        name === 'gateway' ? (options.gatewayPort ?? 0) : 0,
      );
      balancers.set(name, balancer);
      cleanups.push(() => balancer.close());
    }
    const urls = Object.fromEntries([...balancers].map(([name, b]) => [name, b.url]));
    const routed = services.map((name) => ({ name, url: urls[name] as string }));
    const routesFile = join(stateDir, 'routes.yaml');
    writeFileSync(
      routesFile,
      renderRoutesFile(repoRoot, names.namespace, routed, {
        rateLimits: options.rateLimits ?? true,
      }),
    );

    const context: WiringContext = {
      repoRoot,
      deps,
      names,
      secrets,
      urls,
      smtp,
      otlpEndpoint: options.otlpEndpoint,
      logLevel: options.logLevel ?? 'info',
      shutdownDelayMs: options.shutdownDelayMs ?? 1000,
      routesFile,
      docsOpenApiUrls: docsOpenApiUrls(repoRoot, routed),
      scryptParams: options.scryptParams ?? DEFAULT_SCRYPT_PARAMS,
    };
    // A directory without a .env: the children get exactly the environment built here.
    const cwd = join(stateDir, 'cwd');
    mkdirSync(cwd, { recursive: true });

    for (const [name, balancer] of balancers) {
      const definition = COMPONENTS[name];
      components.set(
        name,
        new PlatformComponent(name, balancer, (id, port, adminPort) => ({
          id,
          component: name,
          main: mainFile(repoRoot, name),
          env: { ...definition.env(context, { port, adminPort }), ...options.env?.[name] },
          cwd,
          logFile: join(logDir, `${id}.log`),
          port,
          readyUrl: `http://127.0.0.1:${name === 'gateway' ? adminPort : port}/readyz`,
          detached: options.ownProcessGroups ?? false,
          onExit: (instance, exit, expected) => {
            if (!expected && stopped === undefined) options.onCrash?.(instance, exit);
          },
        })),
      );
    }

    const startComponent = async (name: ComponentName) => {
      const component = components.get(name) as PlatformComponent;
      const count = options.replicas?.[name] ?? 1;
      for (let i = 0; i < count; i += 1) await component.addInstance();
    };
    // auth first: the others fetch its JWKS and client tokens; the gateway last.
    await startComponent('auth');
    await Promise.all(services.filter((name) => name !== 'auth').map(startComponent));
    await startComponent('gateway');
  } catch (error) {
    await stop();
    throw error;
  }

  const component = (name: ComponentName): PlatformComponent => {
    const found = components.get(name);
    if (found === undefined) throw new Error(`${name} is not part of this platform run`);
    return found;
  };
  return {
    runId: names.runId,
    names,
    repoRoot,
    stateDir,
    logDir,
    gatewayUrl: component('gateway').url,
    deps,
    secrets,
    admin: secrets.admin,
    services,
    mail,
    component,
    instances: (name) => component(name).instances(),
    has: (name) => services.includes(name),
    logFiles: () => readdirSync(logDir).map((file) => join(logDir, file)),
    stop,
  };
}
