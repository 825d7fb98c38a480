// A readiness probe that keeps failing never shows in a pod's status (the pod just stays
// not ready); the kubelet reports it as `Unhealthy` warning events. Counting them lets a
// deploy fail on "readiness probe failed" long before its timeout. Not at the first failures:
// a real container fails its first probes while it starts (a JVM on a small CPU request takes
// tens of seconds to listen), which says nothing about the release. So a pod counts as failing
// once its readiness probe has failed for about a minute of its own probe periods.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';

/** How long readiness must keep failing, in probe periods' worth of seconds. */
export const READINESS_GRACE_SECONDS = 60;
/** Never fewer failures than this (the kubelet's default failureThreshold). */
const MIN_FAILURES = 3;
/** The kubelet's default periodSeconds. */
const DEFAULT_PERIOD_SECONDS = 10;

/** Failed readiness probes (summed over events) after which this pod counts as failing. */
export function readinessFailuresToFail(pod: KubernetesObject): number {
  const periods = ((pod as V1Pod).spec?.containers ?? [])
    .filter((container) => container.readinessProbe)
    .map((container) => container.readinessProbe?.periodSeconds ?? DEFAULT_PERIOD_SECONDS);
  const period = periods.length > 0 ? Math.min(...periods) : DEFAULT_PERIOD_SECONDS;
  return Math.max(MIN_FAILURES, Math.ceil(READINESS_GRACE_SECONDS / period));
}

type ProbeEvent = KubernetesObject & {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  reason?: string;
  message?: string;
  count?: number;
};

/** The field selector of the events this reads (for the watch). */
export const UNHEALTHY_EVENTS_SELECTOR = 'type=Warning,reason=Unhealthy';

/** "readiness probe failing (x4): HTTP probe failed with statuscode: 503", or undefined. */
export function readinessFailure(
  pod: KubernetesObject,
  events: Iterable<KubernetesObject>,
  threshold = readinessFailuresToFail(pod),
): string | undefined {
  let failures = 0;
  let last = '';
  for (const event of events as Iterable<ProbeEvent>) {
    const about = event.involvedObject;
    if (event.kind !== 'Event' || event.reason !== 'Unhealthy' || about?.kind !== 'Pod') continue;
    if (about.name !== pod.metadata?.name) continue;
    if (about.uid && pod.metadata?.uid && about.uid !== pod.metadata.uid) continue;
    if (!event.message?.startsWith('Readiness probe failed')) continue;
    failures += event.count ?? 1;
    last = event.message.replace(/^Readiness probe failed:\s*/, '');
  }
  return failures >= threshold
    ? `readiness probe failing (x${failures}): ${last}`.trim()
    : undefined;
}
