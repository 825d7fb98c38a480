// The deployed platform's API as its users reach it: the gateway's public host (the Ingress
// that routes /api/auth, on the host's port 80) and the first admin's credentials from the
// Secret the deploy generated (shoal.yaml's `secrets:`).
import { GatewayClient } from '../../journeys/support/gateway-client.ts';
import { createLocaltestFetch } from '../../journeys/support/localtest-fetch.ts';
import type { LocaltestFetch } from '../../journeys/support/localtest-fetch.ts';
import { ingressRoutes } from './ingress-routes.ts';
import type { IngressRoute } from './ingress-routes.ts';
import type { KindCluster } from './kind-cluster.ts';
import { readSecretData } from './secret-data.ts';

/** The Secret auth creates the first admin from. */
const ADMIN_SECRET = 'auth-admin';

/** A client of the platform's API and what it was made from; close() when done. */
export interface PlatformApi {
  readonly api: GatewayClient;
  readonly gatewayUrl: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** Every Ingress route in the platform's namespace. */
  readonly routes: readonly IngressRoute[];
  /** The fetch that resolves *.localtest.me (for the UIs' hosts too). */
  readonly http: LocaltestFetch;
  close(): Promise<void>;
}

/** Connects to the deployed platform; fails saying what is missing when it is not deployed. */
export async function connectPlatformApi(cluster: KindCluster): Promise<PlatformApi> {
  const routes = await ingressRoutes(cluster);
  const authRoute = routes.find((route) => route.path === '/api/auth');
  if (authRoute === undefined) {
    throw new Error(
      `no Ingress in namespace ${cluster.namespace} routes /api/auth: is the platform deployed (make deploy)?`,
    );
  }
  const admin = await readSecretData(cluster, ADMIN_SECRET);
  if (admin?.['email'] === undefined || admin['password'] === undefined) {
    throw new Error(
      `Secret ${cluster.namespace}/${ADMIN_SECRET} with email and password not found: the deploy generates it (shoal.yaml secrets:)`,
    );
  }
  const http = createLocaltestFetch();
  const gatewayUrl = `http://${authRoute.host}`;
  return {
    api: new GatewayClient(gatewayUrl, http.fetch),
    gatewayUrl,
    admin: { email: admin['email'], password: admin['password'] },
    routes,
    http,
    close: () => http.close(),
  };
}
