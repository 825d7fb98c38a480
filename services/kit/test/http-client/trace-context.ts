// Registers OpenTelemetry's real W3C propagator and async context manager for a test, the two
// pieces of the SDK that trace propagation needs, and removes them again afterwards.
import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** Installs propagator + context manager; returns the function that uninstalls them. */
export function installTracePropagation(): () => void {
  const manager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = context.setGlobalContextManager(manager);
  const ownsPropagator = propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return () => {
    if (ownsContext) context.disable();
    if (ownsPropagator) propagation.disable();
    manager.disable();
  };
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';

/** A context whose active span is a sampled remote parent with the ids above. */
export function parentContext(): Context {
  return trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}
