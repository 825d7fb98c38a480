// A readiness probe that keeps failing never shows in a pod's status (the pod just stays
// not ready); the kubelet reports it as `Unhealthy` warning events. Counting them lets a
// deploy fail on "readiness probe failed" within seconds instead of at its timeout.
import type { KubernetesObject } from '@kubernetes/client-node';

/** Failed readiness probes (summed over events) after which a pod counts as failing. */
export const READINESS_FAILURES_TO_FAIL = 3;

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
  threshold = READINESS_FAILURES_TO_FAIL,
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
