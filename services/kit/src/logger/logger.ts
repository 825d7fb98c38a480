import winston from 'winston';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { requestContext } from '../context/request-context.ts';

/** The logger every part of the kit and every service uses. */
export type Logger = winston.Logger;

/** Adds the active span's trace_id and span_id to each line, so logs join traces. */
const traceContext = winston.format((info) => {
  const spanContext = trace.getActiveSpan()?.spanContext();
  // Without a tracer provider an untraced request has an all-zero context: leave it out.
  if (spanContext !== undefined && isSpanContextValid(spanContext)) {
    info['trace_id'] ??= spanContext.traceId;
    info['span_id'] ??= spanContext.spanId;
  }
  return info;
});

/** Adds the request id of the request being served, so any logger's lines join its request. */
const requestIdContext = winston.format((info) => {
  const requestId = requestContext.getStore()?.requestId;
  if (requestId !== undefined) info['request_id'] ??= requestId;
  return info;
});

/** Renames winston's `message` to `msg` and stamps `time`, the field names DESIGN.md fixes. */
const designFields = winston.format((info) => {
  const { message, ...rest } = info;
  return Object.assign(rest, {
    time: new Date().toISOString(),
    msg: message,
  }) as unknown as typeof info;
});

/**
 * A JSON-lines logger: `level time service msg request_id trace_id span_id` plus whatever
 * fields the call passes. Writes to stdout (or the given stream, for tests).
 */
export function createLogger(options: {
  service: string;
  level?: string;
  stream?: NodeJS.WritableStream;
}): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      requestIdContext(),
      traceContext(),
      designFields(),
      winston.format.json(),
    ),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console(),
    ],
  });
}
