// Preload for the kit server (`node --import ./tracing-preload.ts kit-server.ts`): the same
// steps as @shoal/kit/telemetry/register, but spans go to a discarding exporter.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { installLoaderHook, startTelemetry } from '@shoal/kit/telemetry';
import { DiscardingSpanExporter } from './discarding-exporter.ts';

const hooksAcknowledged = installLoaderHook();
startTelemetry({
  serviceName: 'bench',
  spanProcessors: [new BatchSpanProcessor({ exporter: new DiscardingSpanExporter() })],
});
await hooksAcknowledged();
