// The Kubernetes testbed's helpers for tests, re-exported from @shoal/testbed.
export * from './kube-env.ts';
export * from './kube-kubectl.ts';
export * from './kube-wait.ts';
export * from './kube-namespace.ts';
export * from './kube-behavior.ts';
export * from './kube-api-error.ts';
export * from './kube-compaction.ts';
