// The recent warning events of an object: the "why" behind a pod that will not start
// (FailedScheduling, BackOff, Unhealthy probe results, FailedMount, ...).
import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/clients.ts';

/** Up to `limit` warning events of the named object, newest last, as "Reason: message (xN)". */
export async function recentWarnings(
  kube: KubeClients,
  namespace: string,
  kind: string,
  name: string,
  limit = 3,
): Promise<string[]> {
  let events: CoreV1Event[];
  try {
    const list = await kube.core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
    });
    events = list.items;
  } catch {
    return []; // events are a help, never a reason to fail the diagnosis
  }
  const lines = events
    .filter((event) => event.type === 'Warning')
    .sort((a, b) => timeOf(a) - timeOf(b))
    .map((event) => {
      const times = event.count && event.count > 1 ? ` (x${event.count})` : '';
      return `${event.reason ?? 'Warning'}: ${(event.message ?? '').trim()}${times}`;
    });
  return [...new Set(lines)].slice(-limit);
}

function timeOf(event: CoreV1Event): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  return time ? new Date(time).getTime() : 0;
}
