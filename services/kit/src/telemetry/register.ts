/**
 * Preload for tracing under ESM: `node --import @shoal/kit/telemetry/register main.ts`.
 * It installs the import-in-the-middle loader hook (so instrumentations can patch modules
 * that are `import`ed, not only `require`d) and starts the SDK, both before the service's
 * own modules load. The service's lifecycle flushes it on shutdown.
 */
import { loadConfig } from '../config/load-config.ts';
import { baseConfigSchema } from '../config/base-schema.ts';
import { installLoaderHook } from './loader-hook.ts';
import { startTelemetry } from './start-telemetry.ts';
import { shutdownTelemetry } from './shutdown-hook.ts';

const config = loadConfig(
  baseConfigSchema.pick({ SERVICE_NAME: true, OTEL_EXPORTER_OTLP_ENDPOINT: true }),
);
const hooksAcknowledged = installLoaderHook();
startTelemetry({ serviceName: config.SERVICE_NAME, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
await hooksAcknowledged();
// A process that ends on its own (not through the lifecycle) still gets its spans out.
process.once('beforeExit', () => void shutdownTelemetry());
