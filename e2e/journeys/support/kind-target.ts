// The journey's cluster target: the platform `make deploy` runs on the kind cluster, reached
// as its users reach it. The API through the gateway's public host (shoal.localtest.me, the
// host's port 80), the mail in Mailpit and the traces in Jaeger through their Ingresses, and
// the credentials from the Secrets the deploy generated (shoal.yaml's `secrets:`).
import { jaegerQuery } from '../../src/tracing/jaeger-query.ts';
import { WEBHOOK_SOURCE } from '../../src/index.ts';
import type { IngressRoute } from '../../kind/support/ingress-routes.ts';
import { connectKindCluster } from '../../kind/support/kind-cluster.ts';
import type { KindCluster } from '../../kind/support/kind-cluster.ts';
import { connectPlatformApi } from '../../kind/support/platform-api.ts';
import { readSecretData } from '../../kind/support/secret-data.ts';
import { Missing } from './journey-target.ts';
import type { JourneyTarget, ReportCounts } from './journey-target.ts';
import { mailpitReader } from './mailpit-reader.ts';
/** The event hub's WEBHOOK_SECRETS (charts/event/values.yaml's secretEnv): {"<source>": "<secret>"}. */
const WEBHOOK_SECRET = { name: 'event-webhook-secrets', key: 'secrets' };

/** The public URL of the UI whose Ingress routes to `service`, or why there is none. */
function uiUrl(
  cluster: KindCluster,
  routes: readonly IngressRoute[],
  service: string,
  what: string,
): string | Missing {
  const route = routes.find((candidate) => candidate.service === service && candidate.path === '/');
  if (route === undefined) {
    return new Missing(
      `${what} is not reachable on this cluster: no Ingress in namespace ${cluster.namespace} routes to Service ${service} (not deployed in this environment)`,
    );
  }
  return `http://${route.host}`;
}

async function webhookSecrets(cluster: KindCluster): Promise<Record<string, string>> {
  const data = await readSecretData(cluster, WEBHOOK_SECRET.name);
  const json = data?.[WEBHOOK_SECRET.key];
  if (json === undefined) return {};
  return JSON.parse(json) as Record<string, string>;
}

/** Connects to the deployed platform; nothing is started or changed. */
export async function connectKindTarget(): Promise<JourneyTarget> {
  const cluster = connectKindCluster();
  const { api, gatewayUrl, admin, routes, http } = await connectPlatformApi(cluster);
  const apiRoutes = routes.filter((route) => route.path.startsWith('/api/'));
  const mailUrl = uiUrl(cluster, routes, 'shoal-mailpit', 'Mailpit');
  const jaegerUrl = uiUrl(cluster, routes, 'shoal-jaeger', 'Jaeger');
  const secrets = await webhookSecrets(cluster);
  if (secrets[WEBHOOK_SOURCE] === undefined) {
    console.log(
      `      note: Secret ${cluster.namespace}/${WEBHOOK_SECRET.name} has no HMAC secret for webhook source "${WEBHOOK_SOURCE}"`,
    );
  }

  return {
    description: `the kind cluster ${cluster.name} (namespace ${cluster.namespace}, gateway ${gatewayUrl})`,
    api,
    services: [...new Set(apiRoutes.map((route) => route.service))].sort(),
    admin,
    webhookSecrets: secrets,
    mail: mailUrl instanceof Missing ? mailUrl : mailpitReader(mailUrl, http.fetch),
    traces: jaegerUrl instanceof Missing ? jaegerUrl : jaegerQuery(jaegerUrl, http.fetch),
    async reportsBefore(adminToken): Promise<ReportCounts> {
      // The cluster's data outlives runs: what the reports counted before is read, not known.
      const byType = await api.get<{ types: { type: string; count: number }[] }>(
        '/api/reports/events-by-type',
        { token: adminToken },
      );
      const summary = await api.get<{ totals: Record<string, number> }>('/api/reports/summary', {
        token: adminToken,
      });
      if (byType.status !== 200 || summary.status !== 200) {
        throw new Error(
          `the reports before the journey: events-by-type ${byType.status}, summary ${summary.status}: ${byType.text.slice(0, 200)}`,
        );
      }
      return {
        types: Object.fromEntries(byType.body.types.map(({ type, count }) => [type, count])),
        totals: summary.body.totals,
      };
    },
    stop: () => http.close(),
  };
}
