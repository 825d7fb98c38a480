import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

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
