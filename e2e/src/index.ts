// The public surface of @shoal/e2e: the platform launcher the journeys, the reliability and
// security suites and `make dev` share.
export * from './platform/platform.ts';
export * from './platform/platform-component.ts';
export * from './platform/service-instance.ts';
export * from './platform/components.ts';
export * from './platform/platform-secrets.ts';
export * from './platform/run-names.ts';
export * from './platform/run-resources.ts';
export * from './platform/smtp-sink.ts';
export * from './platform/endpoint-balancer.ts';
export * from './platform/free-port.ts';
