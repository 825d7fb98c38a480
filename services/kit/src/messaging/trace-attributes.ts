import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { CloudEvent } from './cloud-event.ts';

/** SQS message attributes as the SDK models them. */
export type MessageAttributes = Record<string, MessageAttributeValue>;

/**
 * Adds the active W3C trace context (`traceparent`, `tracestate`) to a message's attributes,
 * so the consumer's span joins the producer's trace. A no-op without a registered SDK.
 */
export function injectTraceAttributes(
  attributes: MessageAttributes,
  from = context.active(),
): void {
  propagation.inject(from, attributes, {
    set: (carrier, key, value) => {
      carrier[key] = { DataType: 'String', StringValue: value };
    },
  });
}

/** The trace context a producer put into a message's attributes (the root context if none). */
export function extractTraceContext(attributes: MessageAttributes | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, attributes ?? {}, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => carrier[key]?.StringValue,
  });
}

/**
 * The trace a consumer of `event` continues: the one the event was made in when it says so
 * (CloudEvents traceparent, set by createCloudEvent), otherwise the message's attributes. The
 * event wins because an outbox relay publishes it later, from its own span, and the aws-sdk
 * instrumentation stamps that span's context on the message.
 */
export function consumerTraceContext(
  event: Pick<CloudEvent, 'traceparent' | 'tracestate'>,
  attributes: MessageAttributes | undefined,
): Context {
  if (event.traceparent === undefined) return extractTraceContext(attributes);
  return propagation.extract(ROOT_CONTEXT, {
    traceparent: event.traceparent,
    ...(event.tracestate === undefined ? {} : { tracestate: event.tracestate }),
  });
}
