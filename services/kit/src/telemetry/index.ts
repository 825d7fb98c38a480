// `@shoal/kit/telemetry`: the pieces of register.ts, for processes that set tracing up
// themselves (benchmarks, custom exporters). Kept out of the main entry so that importing
// `@shoal/kit` never loads the OpenTelemetry SDK.
export * from './instrumentations.ts';
export * from './loader-hook.ts';
export * from './shutdown-hook.ts';
export * from './start-telemetry.ts';
