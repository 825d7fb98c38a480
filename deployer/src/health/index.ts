// Health rules: objectHealth for one object, releaseHealth for a release.
export * from './health.ts';
export { objectHealth, KINDS_WITH_HEALTH } from './object-health.ts';
export { containerFailure, FAILING_WAITING_REASONS } from './pod.ts';
export * from './release-health.ts';
