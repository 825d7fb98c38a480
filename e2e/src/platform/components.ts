// What each component needs to run locally: its entry file and its environment, wired the way
// charts/<name>/values.yaml wires it in the cluster (queue names, the auth JWKS URL, the SMTP
// sink), with the run's own names and secrets in place of the cluster's.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DepsEnv } from '@shoal/testbed';
import type { PlatformSecrets } from './platform-secrets.ts';
import type { RunNames } from './run-names.ts';

/** The five services, in the order they start (auth first: everyone fetches its JWKS). */
export const SERVICE_NAMES = ['auth', 'user', 'event', 'notification', 'reporting'] as const;
/** A Shoal service. */
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** A service or the gateway. */
export type ComponentName = ServiceName | 'gateway';

/** Where a run's SMTP traffic goes (the notification service's SMTP_HOST/PORT). */
export interface SmtpTarget {
  readonly host: string;
  readonly port: number;
}

/** Everything an environment builder may use. */
export interface WiringContext {
  readonly repoRoot: string;
  readonly deps: DepsEnv;
  readonly names: RunNames;
  readonly secrets: PlatformSecrets;
  /** The balancer URL of each running component (`http://127.0.0.1:<port>`). */
  readonly urls: Readonly<Partial<Record<ComponentName, string>>>;
  readonly smtp: SmtpTarget;
  readonly otlpEndpoint: string | undefined;
  readonly logLevel: string;
  readonly shutdownDelayMs: number;
  /** The gateway's routes file. */
  readonly routesFile: string;
  /** `name=/path` pairs for the gateway's /docs. */
  readonly docsOpenApiUrls: string;
  /** PASSWORD_SCRYPT_PARAMS for auth (cheap in tests, nearer production in dev). */
  readonly scryptParams: string;
}

/** The ports of one instance. */
export interface InstancePorts {
  readonly port: number;
  /** The gateway's admin port (probes, /metrics); services serve those on `port`. */
  readonly adminPort: number;
}

/** How to run one component. */
export interface ComponentDefinition {
  readonly name: ComponentName;
  /** The package directory, relative to the repo root. */
  readonly dir: string;
  /** The environment of one instance (complete: nothing else is inherited). */
  env(context: WiringContext, ports: InstancePorts): Record<string, string>;
}

/** postgres://.../<database> on the testbed's server. */
function postgresUrl(deps: DepsEnv, database: string): string {
  const url = new URL(deps.PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function required(context: WiringContext, component: ComponentName): string {
  const url = context.urls[component];
  if (url === undefined) throw new Error(`${component} is not part of this run`);
  return url;
}

function jwksUrl(context: WiringContext): string {
  return `${required(context, 'auth')}/api/auth/.well-known/jwks.json`;
}

/** What every component gets: the kit's base variables, SQS credentials, telemetry. */
function baseEnv(context: WiringContext, name: ComponentName, ports: InstancePorts) {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    SERVICE_NAME: name,
    HOST: '127.0.0.1',
    PORT: String(ports.port),
    LOG_LEVEL: context.logLevel,
    SHUTDOWN_DELAY_MS: String(context.shutdownDelayMs),
    SHUTDOWN_TIMEOUT_MS: '15000',
    SQS_ENDPOINT: context.deps.SQS_ENDPOINT,
    AWS_REGION: context.deps.AWS_REGION,
    AWS_ACCESS_KEY_ID: context.deps.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: context.deps.AWS_SECRET_ACCESS_KEY,
  };
  if (context.otlpEndpoint !== undefined) env['OTEL_EXPORTER_OTLP_ENDPOINT'] = context.otlpEndpoint;
  return env;
}

/** The JWT settings of every service that verifies tokens. */
function verifierEnv(context: WiringContext) {
  return {
    AUTH_JWKS_URL: jwksUrl(context),
    AUTH_ISSUER: 'shoal-auth',
    AUTH_AUDIENCE: 'shoal',
  };
}

const auth: ComponentDefinition = {
  name: 'auth',
  dir: 'services/auth',
  env: (context, ports) => {
    const { secrets } = context;
    return {
      ...baseEnv(context, 'auth', ports),
      DATABASE_URL: postgresUrl(context.deps, context.names.databases.auth),
      DATABASE_POOL_SIZE: '5',
      REDIS_URL: context.deps.REDIS_URL,
      EVENTS_QUEUE: context.names.queues.platformEvents,
      AUTH_KEY_ENCRYPTION_KEY: secrets.keyEncryptionKey,
      AUTH_ISSUER: 'shoal-auth',
      AUTH_AUDIENCE: 'shoal',
      PASSWORD_SCRYPT_PARAMS: context.scryptParams,
      // Every journey registers from 127.0.0.1: the per-address budget is for the Internet.
      REGISTRATIONS_PER_ADDRESS: '1000000',
      LOGIN_FAILURES_PER_ADDRESS: '100000',
      // The gateway (and the balancer) are on loopback: X-Forwarded-For from them is believed.
      TRUST_PROXY: 'loopback',
      AUTH_ADMIN_EMAIL: secrets.admin.email,
      AUTH_ADMIN_PASSWORD: secrets.admin.password,
      AUTH_CLIENTS: JSON.stringify(Object.values(secrets.clients)),
    };
  },
};

const user: ComponentDefinition = {
  name: 'user',
  dir: 'services/user',
  env: (context, ports) => ({
    ...baseEnv(context, 'user', ports),
    ...verifierEnv(context),
    MONGO_URL: context.deps.MONGO_URL,
    MONGO_DATABASE: context.names.databases.users,
    EVENTS_QUEUE: context.names.queues.platformEvents,
    USER_EVENTS_QUEUE: context.names.queues.userEvents,
    CONSUMER_WAIT_SEC: '1',
    OUTBOX_POLL_MS: '200',
  }),
};

const event: ComponentDefinition = {
  name: 'event',
  dir: 'services/event',
  env: (context, ports) => {
    const { queues } = context.names;
    return {
      ...baseEnv(context, 'event', ports),
      ...verifierEnv(context),
      MONGO_URL: context.deps.MONGO_URL,
      MONGO_DATABASE: context.names.databases.events,
      INGEST_QUEUE: queues.platformEvents,
      // The hub's default subscriptions (services/event/src/config.ts), on this run's queues.
      SUBSCRIPTIONS: JSON.stringify([
        { name: 'user-events', queue: queues.userEvents, types: ['auth.user.registered'] },
        {
          name: 'notification-events',
          queue: queues.notificationEvents,
          types: ['auth.user.registered', 'user.*', 'integration.*'],
        },
        { name: 'reporting-events', queue: queues.reportingEvents, types: ['*'] },
      ]),
      INGEST_WAIT_SEC: '1',
      RETRY_DELAY_MAX_SEC: '5',
      WEBHOOK_SECRETS: JSON.stringify(context.secrets.webhookSecrets),
    };
  },
};

const notification: ComponentDefinition = {
  name: 'notification',
  dir: 'services/notification',
  env: (context, ports) => {
    const client = context.secrets.clients.notification;
    return {
      ...baseEnv(context, 'notification', ports),
      ...verifierEnv(context),
      MONGO_URL: context.deps.MONGO_URL,
      MONGO_DATABASE: context.names.databases.notifications,
      NOTIFICATION_EVENTS_QUEUE: context.names.queues.notificationEvents,
      EVENTS_QUEUE: context.names.queues.platformEvents,
      CONSUMER_WAIT_SEC: '1',
      RETRY_DELAY_BASE_SEC: '1',
      RETRY_DELAY_MAX_SEC: '10',
      OUTBOX_POLL_MS: '200',
      USER_SERVICE_URL: required(context, 'user'),
      AUTH_URL: required(context, 'auth'),
      AUTH_CLIENT_ID: client.client_id,
      AUTH_CLIENT_SECRET: client.client_secret,
      SMTP_HOST: context.smtp.host,
      SMTP_PORT: String(context.smtp.port),
      MAIL_FROM: 'no-reply@shoal.localtest.me',
    };
  },
};

const reporting: ComponentDefinition = {
  name: 'reporting',
  dir: 'services/reporting',
  env: (context, ports) => ({
    ...baseEnv(context, 'reporting', ports),
    ...verifierEnv(context),
    DATABASE_URL: postgresUrl(context.deps, context.names.databases.reporting),
    DATABASE_POOL_SIZE: '5',
    REPORTING_EVENTS_QUEUE: context.names.queues.reportingEvents,
    CONSUMER_WAIT_SEC: '1',
  }),
};

const gateway: ComponentDefinition = {
  name: 'gateway',
  dir: 'ingress',
  env: (context, ports) => ({
    ...baseEnv(context, 'gateway', ports),
    ADMIN_PORT: String(ports.adminPort),
    ROUTE_SOURCE: 'file',
    ROUTES_FILE: context.routesFile,
    JWKS_URL: jwksUrl(context),
    JWT_ISSUER: 'shoal-auth',
    JWT_AUDIENCE: 'shoal',
    DEFAULT_AUTH: 'required',
    REDIS_URL: context.deps.REDIS_URL,
    RATE_LIMIT_REDIS_DOWN: 'local',
    DOCS_OPENAPI_URLS: context.docsOpenApiUrls,
    // Idle upstream connections are dropped before a draining service would close them (its
    // SHUTDOWN_DELAY_MS), so a rolling restart never meets a connection closed under a request.
    // In the cluster the preStop sleep outlasts the default 4 s.
    UPSTREAM_KEEPALIVE_MS: String(Math.max(100, Math.floor(context.shutdownDelayMs / 2))),
  }),
};

/** Every component definition by name. */
export const COMPONENTS: Readonly<Record<ComponentName, ComponentDefinition>> = {
  auth,
  user,
  event,
  notification,
  reporting,
  gateway,
};

/** The entry file of a component. */
export function mainFile(repoRoot: string, name: ComponentName): string {
  return join(repoRoot, COMPONENTS[name].dir, 'src', 'main.ts');
}

/**
 * The services whose package exists in this checkout (a package.json and src/main.ts), in start
 * order: services still being written are picked up as soon as they land.
 */
export function presentServices(repoRoot: string): ServiceName[] {
  return SERVICE_NAMES.filter(
    (name) =>
      existsSync(join(repoRoot, COMPONENTS[name].dir, 'package.json')) &&
      existsSync(mainFile(repoRoot, name)),
  );
}
