// The public surface of @shoal/gateway (for tests, benchmarks and embedding).
export * from './config.ts';
export * from './gateway.ts';
export * from './kube/ingress-class.ts';
export * from './kube/ingress-watcher.ts';
export * from './routes/ingress-routes.ts';
export * from './routes/route-policy.ts';
export * from './routes/route-source.ts';
export * from './routes/route-table.ts';
export * from './routes/routes-file.ts';
