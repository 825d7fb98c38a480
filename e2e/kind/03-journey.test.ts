// The user journey (journeys/user-journey.ts), the same steps as on the local platform, on the
// platform `make deploy` runs in the kind cluster: through its ingress at shoal.localtest.me,
// the mail from the in-cluster Mailpit, the traces from the in-cluster Jaeger.
import { connectKindTarget } from '../journeys/support/kind-target.ts';
import { describeUserJourney } from '../journeys/user-journey.ts';

describeUserJourney("kind: a new user's journey through the cluster's ingress", connectKindTarget, {
  timeoutMs: 300_000,
});
