import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createInstrumentations } from './instrumentations.ts';
import { setTelemetryShutdown } from './shutdown-hook.ts';

/** What tracing needs to know; normally read from the base config by `register.ts`. */
export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (e.g. `http://collector:4318`); unset = export nothing, no network. */
  endpoint?: string | undefined;
  /** Replaces the exporter pipeline (tests and benchmarks pass an in-memory one). */
  spanProcessors?: SpanProcessor[];
  /** Defaults to createInstrumentations(). */
  instrumentations?: Instrumentation[];
}

/** A started SDK; `shutdown` exports what is buffered, then stops. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP (JSON) traces URL for a collector base URL. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Where spans go: the OTLP exporter when an endpoint is set. Without one, no processor at all,
 * which makes NodeSDK register no tracer provider: spans nobody exports are never built (a
 * server span cost ~40 µs a request), while the propagator still carries an inbound
 * traceparent through to logs and downstream calls, unchanged.
 */
function spanProcessorsFor(options: TelemetryOptions): SpanProcessor[] {
  if (options.spanProcessors !== undefined) return options.spanProcessors;
  if (options.endpoint === undefined) return [];
  return [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }),
    }),
  ];
}

/**
 * Starts the OpenTelemetry SDK: W3C trace context + baggage propagation, a resource with
 * service.name, the kit's instrumentations. Without an endpoint no spans are made, but an
 * inbound trace context still reaches logs and downstream calls. Never blocks: export
 * happens in the background. Call it before express/pg/mongodb are imported (see register.ts).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    ),
    // Host/OS/process detectors only add attributes; they stay off to keep start-up instant.
    autoDetectResources: false,
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    spanProcessors: spanProcessorsFor(options),
    instrumentations: options.instrumentations ?? createInstrumentations(),
    // Metrics are Prometheus (/metrics) and logs are stdout: no OTLP readers or log exporters.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const telemetry: Telemetry = { shutdown: () => sdk.shutdown() };
  setTelemetryShutdown(() => telemetry.shutdown());
  return telemetry;
}
