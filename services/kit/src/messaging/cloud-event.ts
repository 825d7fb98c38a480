import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';

/** A CloudEvents 1.0 event in its JSON format: what every message body on Shoal's queues is. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Unique per event and stable across redeliveries and republishing: consumers dedupe on it. */
  id: string;
  /** Who produced it, as a URI reference (e.g. `/shoal/user`). */
  source: string;
  /** What happened, reverse-DNS style (e.g. `io.shoal.user.created.v1`). */
  type: string;
  /** What it happened to (e.g. the user id). */
  subject?: string;
  /** When it happened (RFC 3339). */
  time?: string;
  datacontenttype?: string;
  /**
   * CloudEvents Distributed Tracing extension: the W3C trace context the event was created in.
   * An outbox relay publishes long after the request ended; this keeps the event in its trace.
   */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

export interface NewCloudEvent<T> {
  type: string;
  source: string;
  subject?: string;
  data: T;
  /** Defaults to a random UUID; pass one to make retries of the same change idempotent. */
  id?: string;
  /** Defaults to now. */
  time?: string | Date;
}

/** Builds a CloudEvents 1.0 envelope (id = UUID, time = now unless given, the active trace). */
export function createCloudEvent<T>(init: NewCloudEvent<T>): CloudEvent<T> {
  for (const key of ['type', 'source'] as const) {
    if (typeof init[key] !== 'string' || init[key] === '') {
      throw new TypeError(`createCloudEvent: ${key} is required`);
    }
  }
  const time = init.time instanceof Date ? init.time.toISOString() : init.time;
  // Empty unless tracing is on and a span is active (the SDK's W3C propagator fills it).
  const trace: { traceparent?: string; tracestate?: string } = {};
  propagation.inject(context.active(), trace);
  return {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source,
    type: init.type,
    ...(init.subject === undefined ? {} : { subject: init.subject }),
    time: time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    ...trace,
    data: init.data,
  };
}

/** A message body that is not a CloudEvents 1.0 JSON envelope. */
export class InvalidCloudEventError extends Error {
  constructor(reason: string) {
    super(`not a CloudEvent: ${reason}`);
    this.name = 'InvalidCloudEventError';
  }
}

/** Parses and checks a message body; throws InvalidCloudEventError naming what is wrong. */
export function parseCloudEvent(body: string): CloudEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidCloudEventError('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCloudEventError('body is not a JSON object');
  }
  const event = value as Record<string, unknown>;
  if (event['specversion'] !== '1.0') throw new InvalidCloudEventError('specversion must be "1.0"');
  for (const key of ['id', 'source', 'type']) {
    if (typeof event[key] !== 'string' || event[key] === '') {
      throw new InvalidCloudEventError(`${key} must be a non-empty string`);
    }
  }
  for (const key of ['subject', 'time', 'traceparent', 'tracestate']) {
    if (event[key] !== undefined && typeof event[key] !== 'string') {
      throw new InvalidCloudEventError(`${key} must be a string`);
    }
  }
  return event as unknown as CloudEvent;
}
