import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import type { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';

/** Every Express layer type (the instrumentation's enum is not erasable TypeScript). */
const EXPRESS_LAYER_TYPES = ['router', 'middleware', 'request_handler'] as ExpressLayerType[];

/** Probes and scrapes: traced, they would drown real traffic in every trace backend. */
const UNTRACED_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/**
 * The packages the ESM loader hook must wrap for these instrumentations to see them.
 * Everything else is left alone, which keeps the hook cheap and our own .ts files untouched.
 */
export const INSTRUMENTED_MODULES: readonly string[] = [
  'express',
  'router',
  'pg',
  'pg-pool',
  'mongodb',
  '@smithy/smithy-client',
  '@smithy/middleware-stack',
  '@smithy/core',
  '@aws-sdk/middleware-stack',
  '@aws-sdk/smithy-client',
  'winston',
  'http',
  'https',
  'node:http',
  'node:https',
];

/**
 * The instrumentations a Shoal service needs, picked one by one (the noisy fs, dns and net
 * ones stay out): inbound/outbound http and fetch, express routes, pg, mongodb, the AWS SDK
 * (SQS) and winston (trace ids on log lines; our logs go to stdout, not to OTLP).
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
    }),
    new UndiciInstrumentation(),
    // Only for the route name: it sets http.route on the server span ("GET /api/users/:id").
    // Per-layer spans cost ~70 µs a request (bench/kit-overhead) and tell little here.
    new ExpressInstrumentation({ ignoreLayersType: [...EXPRESS_LAYER_TYPES] }),
    new PgInstrumentation({ ignoreConnectSpans: true }),
    new MongoDBInstrumentation(),
    new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    new WinstonInstrumentation({ disableLogSending: true }),
  ];
}
