// How a test makes a simulated pod misbehave or use CPU: labels and annotations that the
// testbed's kwok stages (testbed/kube/kwok/kwok.yaml) act on.

/** Label that selects a misbehaving kwok stage for a pod; without it the pod becomes Running and Ready. */
export const KWOK_BEHAVIOR_LABEL = 'testbed.shoal.dev/behavior';

/** What a labelled pod does instead of becoming Ready. */
export const KwokBehavior = {
  /** Running, container waiting in CrashLoopBackOff after exiting 1; never Ready. */
  CrashLoop: 'crash-loop',
  /** Pending, container waiting in ImagePullBackOff; never Ready. */
  ImagePullFailure: 'image-pull-failure',
  /** Running, container running, never Ready (a readiness probe that always fails). */
  NeverReady: 'never-ready',
} as const;
export type KwokBehavior = (typeof KwokBehavior)[keyof typeof KwokBehavior];

/** Pod annotation with the CPU the pod reports to metrics-server, as a quantity ("250m"); 1m when absent. */
export const KWOK_CPU_USAGE_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';

/** Pod annotation with the memory the pod reports to metrics-server ("64Mi"); 1Mi when absent. */
export const KWOK_MEMORY_USAGE_ANNOTATION = 'kwok.x-k8s.io/usage-memory';
