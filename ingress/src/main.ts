// Process entry: config -> route source -> gateway -> listen -> shutdown hooks.
// Run with: node --import @shoal/kit/telemetry/register src/main.ts
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, loadConfig } from '@shoal/kit';
import { defaultPolicy, gatewayConfigSchema } from './config.ts';
import type { GatewayConfig } from './config.ts';
import { createGateway } from './gateway.ts';
import { batchedStdout } from './http/batched-stdout.ts';
import { IngressWatcher } from './kube/ingress-watcher.ts';
import { clusterDnsResolver } from './routes/ingress-routes.ts';
import type { RouteSource } from './routes/route-source.ts';
import { RoutesFileSource } from './routes/routes-file.ts';
import type { Logger } from '@shoal/kit';

const config = loadConfig(gatewayConfigSchema);
const logStream = batchedStdout();
const logger = createLogger({
  service: config.SERVICE_NAME,
  level: config.LOG_LEVEL,
  stream: logStream,
});
// The watcher's recovered API errors are counted in the gateway's metrics (made just below).
let countSourceError = (_kind: 'list' | 'watch' | 'status'): void => {};
const source = routeSource(config, logger, (kind) => countSourceError(kind));
const gateway = createGateway({ config, logger, logStream, source });
countSourceError = (kind) => gateway.metrics.routeSourceErrors.inc({ kind });
try {
  await gateway.start();
} catch (error) {
  logger.error('gateway failed to start', { error: (error as Error).message });
  process.exit(1);
}

function routeSource(
  config: GatewayConfig,
  logger: Logger,
  onError: (kind: 'list' | 'watch' | 'status') => void,
): RouteSource {
  if (config.ROUTE_SOURCE === 'file') {
    return new RoutesFileSource({
      file: config.ROUTES_FILE,
      ingressClass: config.INGRESS_CLASS,
      defaults: defaultPolicy(config),
      logger,
    });
  }
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG !== undefined) kubeConfig.loadFromFile(config.KUBECONFIG);
  else kubeConfig.loadFromDefault();
  return new IngressWatcher({
    kubeConfig,
    ingressClass: config.INGRESS_CLASS,
    namespace: config.WATCH_NAMESPACE,
    defaults: defaultPolicy(config),
    resolve: clusterDnsResolver(config.CLUSTER_DOMAIN),
    publishAddress: config.PUBLISH_ADDRESS,
    logger,
    onError,
  });
}
