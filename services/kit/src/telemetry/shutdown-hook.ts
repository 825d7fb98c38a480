/**
 * The lifecycle flushes telemetry last on shutdown, but must not import the SDK (services
 * that run without tracing should not load it). The telemetry starter registers here.
 */
let flushAndShutdown: (() => Promise<void>) | undefined;

/** Called by startTelemetry: `fn` exports what is buffered and stops the SDK. */
export function setTelemetryShutdown(fn: (() => Promise<void>) | undefined): void {
  flushAndShutdown = fn;
}

/** Flushes and stops telemetry if it was started; safe to call more than once. */
export async function shutdownTelemetry(): Promise<void> {
  const fn = flushAndShutdown;
  flushAndShutdown = undefined;
  await fn?.();
}
