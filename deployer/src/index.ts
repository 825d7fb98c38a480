// @shoal/deployer: the shoal CLI's building blocks, for the CLI's own verbs, tests and bench.
export * from './errors/exit-codes.ts';
export * from './errors/shoal-error.ts';
export * from './errors/kube-error.ts';
export * from './kube/clients.ts';
export * from './kube/object-api.ts';
export * from './kube/resilient-watch.ts';
export * from './platform-file/schema.ts';
export * from './platform-file/platform.ts';
export * from './platform-file/load.ts';
export * from './runtime.ts';
export { buildProgram, runShoal } from './cli.ts';
export * from './health/index.ts';
export * from './state/labels.ts';
export * from './state/revisions.ts';
export * from './state/overrides.ts';
export * from './state/apply-overrides.ts';
