// Everything the gateway reads from its environment, on top of the kit's base.
import { baseConfigSchema, envHttpUrl, envInteger, envParsedWith } from '@shoal/kit';
import { z } from 'zod';
import { parseOpenApiUrls } from './docs/swagger-docs.ts';
import { parseByteSize, parseCorsOrigins, parseRateLimit } from './routes/route-policy.ts';
import type { RoutePolicy } from './routes/route-policy.ts';

/** The gateway's configuration schema. */
export const gatewayConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('gateway'),
  /** Health probes and /metrics listen here, apart from the public port (0 = any free port). */
  ADMIN_PORT: envInteger(0, 65535).default(9090),
  /** Where routes come from: the Kubernetes API, or ROUTES_FILE. */
  ROUTE_SOURCE: z.enum(['kubernetes', 'file']).default('file').describe('kubernetes or file'),
  ROUTES_FILE: z.string().min(1).default('routes.yaml').describe('a path to a routes YAML file'),
  /** Kubernetes: our IngressClass and the namespace to watch (unset: all). */
  INGRESS_CLASS: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
    .default('shoal')
    .describe('an IngressClass name'),
  WATCH_NAMESPACE: z.string().min(1).optional().describe('a namespace name'),
  /** Kubernetes: kubeconfig file (unset: in-cluster service account, else ~/.kube/config). */
  KUBECONFIG: z.string().min(1).optional().describe('a kubeconfig path'),
  /** The address written into status.loadBalancer of served Ingresses (unset: left alone). */
  PUBLISH_ADDRESS: z.string().min(1).optional().describe('an IP address or host name'),
  CLUSTER_DOMAIN: z.string().min(1).default('cluster.local').describe('a DNS domain'),

  /** JWT verification at the edge (the auth service's JWKS, iss and aud). */
  JWKS_URL: envHttpUrl().optional(),
  JWT_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss tokens must carry'),
  JWT_AUDIENCE: z.string().min(1).default('shoal').describe('the aud tokens must carry'),
  /** How long a verified token is remembered (bounded by its exp); 0 = verify every request. */
  TOKEN_CACHE_SEC: envInteger(0, 300).default(30),

  /** Shared rate-limit counters; unset = rate-limit annotations are refused at start. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//)
    .optional()
    .describe('a redis:// URL'),
  /** With Redis down: local (per-replica limiter, default), open (no limit), closed (503). */
  RATE_LIMIT_REDIS_DOWN: z
    .enum(['local', 'open', 'closed'])
    .default('local')
    .describe('local, open or closed'),
  RATE_LIMIT_REDIS_TIMEOUT_MS: envInteger(1, 10_000).default(250),

  /** Defaults for routes whose Ingress does not say. */
  DEFAULT_AUTH: z
    .enum(['required', 'optional', 'none'])
    .default('required')
    .describe('required, optional or none'),
  DEFAULT_RATE_LIMIT: envParsedWith(
    (text) => (text === 'none' ? undefined : parseRateLimit(text)),
    'a rate like 100/m, or none',
  ).prefault('none'),
  DEFAULT_TIMEOUT_MS: envInteger(1, 3_600_000).default(60_000),
  DEFAULT_BODY_LIMIT: envParsedWith(parseByteSize, 'a size like 10m or 512kb').prefault('10m'),
  DEFAULT_CORS_ORIGINS: envParsedWith(parseCorsOrigins, 'comma-separated origins, or *').prefault(
    '',
  ),

  /**
   * Client side: the peers trusted to set X-Forwarded-* are the kit's TRUST_PROXY (as in every
   * service). The gateway's own older name is refused rather than silently ignored.
   */
  TRUSTED_PROXIES: z
    .never()
    .optional()
    .describe('unset: it was renamed TRUST_PROXY (same values, plus hop counts and range names)'),
  /** Slow clients: all request headers within this, the whole request within the next. */
  CLIENT_HEADERS_TIMEOUT_MS: envInteger(100, 600_000).default(10_000),
  CLIENT_REQUEST_TIMEOUT_MS: envInteger(100, 3_600_000).default(60_000),
  /** Idle keep-alive connections from clients are closed after this. */
  CLIENT_KEEPALIVE_TIMEOUT_MS: envInteger(100, 600_000).default(65_000),

  /** Upstream side: idle pooled connections are closed before the upstream's own keep-alive (Node: 5 s). */
  UPSTREAM_KEEPALIVE_MS: envInteger(100, 600_000).default(4_000),
  UPSTREAM_MAX_SOCKETS: envInteger(1, 100_000).default(1024),

  /** `/docs`: OpenAPI documents to show, `name=url` pairs, comma-separated (unset: no /docs). */
  DOCS_OPENAPI_URLS: envParsedWith(
    parseOpenApiUrls,
    'name=/path pairs, comma-separated',
  ).optional(),
});

/** The parsed gateway configuration. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** The route policy an Ingress gets when it has no `shoal.dev/*` annotations. */
export function defaultPolicy(config: GatewayConfig): RoutePolicy {
  return {
    auth: config.DEFAULT_AUTH,
    rateLimit: config.DEFAULT_RATE_LIMIT,
    timeoutMs: config.DEFAULT_TIMEOUT_MS,
    bodyLimitBytes: config.DEFAULT_BODY_LIMIT,
    corsOrigins: config.DEFAULT_CORS_ORIGINS,
  };
}
