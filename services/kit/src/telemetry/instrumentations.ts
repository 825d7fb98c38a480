import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes: traced, they would drown real traffic in every trace backend. */
const UNTRACED_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/**
 * The packages the ESM loader hook must wrap for these instrumentations to see them.
 * Everything else is left alone, which keeps the hook cheap and our own .ts files untouched.
 */
export const INSTRUMENTED_MODULES: readonly string[] = [
  'pg',
  'pg-pool',
  'mongodb',
  '@smithy/smithy-client',
  '@smithy/middleware-stack',
  '@smithy/core',
  '@aws-sdk/middleware-stack',
  '@aws-sdk/smithy-client',
  'http',
  'https',
  'node:http',
  'node:https',
];

/**
 * The instrumentations a Shoal service needs, picked one by one (the noisy fs, dns and net
 * ones stay out): inbound/outbound http and fetch, pg, mongodb and the AWS SDK (SQS).
 * Not express: createService names the server span after the route itself (spanRouteMiddleware),
 * which costs a fraction of wrapping every router layer. Not winston: the kit's logger already
 * stamps trace_id/span_id on every line.
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
    }),
    new UndiciInstrumentation(),
    new PgInstrumentation({ ignoreConnectSpans: true }),
    new MongoDBInstrumentation(),
    new AwsInstrumentation({ suppressInternalInstrumentation: true }),
  ];
}
