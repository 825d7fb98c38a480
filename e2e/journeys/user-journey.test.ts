// The user journey (user-journey.ts) on the local platform: five services, the gateway and a
// private Jaeger as processes (startPlatform), what `make test` runs.
import { startLocalTarget } from './support/local-target.ts';
import { describeUserJourney } from './user-journey.ts';

describeUserJourney('Journey: a new user through the gateway', startLocalTarget, {
  // Starting five services, a gateway and Jaeger on two shared cores; the first build of
  // Jaeger (when the cache is cold) happens in `make test`'s tracing-build step, not here.
  timeoutMs: 180_000,
});
