// A Pod is degraded as soon as it shows a failure that will not fix itself (crash loop, image
// pull, bad config, unschedulable), progressing until Ready. The reason names the container,
// its exit code and restarts: what `kubectl describe pod` would make you look for.
// One exception: the container runtime failing to start a container once (runc's "unable to
// freeze" on a busy cgroup v1 host, seen on kind) is a hiccup the kubelet retries and that
// usually passes; the app never ran, so it says nothing about the release. A second failed
// start is a failure.
import { conditionOf, degraded, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Waiting reasons that mean the container will not start without a change. */
export const FAILING_WAITING_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: unknown;
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

/** Health of a v1 Pod. */
export function podHealth(pod: ObjectWithStatus): Health {
  const status = pod.status ?? {};
  const containers = [
    ...((status.initContainerStatuses as ContainerStatus[] | undefined) ?? []),
    ...((status.containerStatuses as ContainerStatus[] | undefined) ?? []),
  ];
  const retrying = containers.find(failedToStartOnce);
  if (retrying) {
    const message = retrying.state?.waiting?.message;
    return progressing(
      `container ${retrying.name}: the runtime failed to start it once; the kubelet retries${message ? ` (${message})` : ''}`,
    );
  }
  for (const container of containers) {
    const failure = containerFailure(container);
    if (failure) return degraded(failure);
  }
  const scheduled = conditionOf(pod, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const message = scheduled.message ?? 'no node fits';
    // A claim made a moment ago is bound by the volume controller within seconds: not a failure yet.
    if (/unbound immediate PersistentVolumeClaims/i.test(message)) {
      return progressing(`waiting for its volume claims to bind (${message})`);
    }
    return degraded(`unschedulable: ${message}`);
  }
  const restartPolicy = pod.spec?.restartPolicy;
  if (status.phase === 'Failed') {
    const why = [status.reason, status.message].filter((part) => typeof part === 'string');
    return degraded(why.length > 0 ? `pod failed: ${why.join(': ')}` : 'pod failed');
  }
  if (status.phase === 'Succeeded') return healthy('completed');
  if (restartPolicy === 'Never') {
    const exited = containers.find((c) => (c.state?.terminated?.exitCode ?? 0) !== 0);
    if (exited)
      return degraded(
        `container ${exited.name} exited ${exited.state?.terminated?.exitCode ?? '?'}`,
      );
  }
  if (status.phase === 'Pending') {
    const waiting = containers.find((c) => c.state?.waiting?.reason);
    return progressing(
      waiting ? `container ${waiting.name}: ${waiting.state?.waiting?.reason ?? ''}` : 'pending',
    );
  }
  const ready = conditionOf(pod, 'Ready');
  if (ready?.status === 'True') return healthy('ready');
  const notReady = containers.filter((container) => container.ready !== true).map((c) => c.name);
  return progressing(
    notReady.length > 0 ? `running, not ready: ${notReady.join(', ')}` : 'running, not ready',
  );
}

/** Its only attempt so far never started (`StartError`), and it waits to be tried again. */
function failedToStartOnce(container: ContainerStatus): boolean {
  return (
    container.lastState?.terminated?.reason === 'StartError' &&
    (container.restartCount ?? 0) === 0 &&
    container.state?.waiting !== undefined
  );
}

/** The failure a container shows, as a sentence; undefined when it shows none. */
export function containerFailure(container: ContainerStatus): string | undefined {
  const waiting = container.state?.waiting;
  if (!waiting?.reason || !FAILING_WAITING_REASONS.has(waiting.reason)) return undefined;
  const parts = [`container ${container.name}: ${waiting.reason}`];
  const last = container.lastState?.terminated;
  if (last?.exitCode !== undefined) {
    parts.push(`last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}`);
  }
  if (container.restartCount) parts.push(`${container.restartCount} restarts`);
  const message = waiting.message ? `: ${waiting.message}` : '';
  return `${parts.join(', ')}${message}`;
}
