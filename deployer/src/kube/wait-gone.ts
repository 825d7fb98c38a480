// Waits, through watches, until the given objects no longer exist (finalizers done).
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectKey } from '../render/tracking.ts';
import type { KubeClients } from './clients.ts';
import { ResilientWatch } from './resilient-watch.ts';

/** Resolves true once every object is gone, false after `timeoutMs` or on abort. */
export async function waitUntilGone(
  kube: KubeClients,
  objects: KubernetesObject[],
  options: { labelSelector: string; timeoutMs: number; signal: AbortSignal },
): Promise<boolean> {
  const pending = new Set(objects.map((object) => objectKey(object)));
  if (pending.size === 0) return true;
  const groups = new Map<string, KubernetesObject>();
  for (const object of objects) {
    groups.set(
      `${object.apiVersion ?? ''}/${object.kind ?? ''}/${object.metadata?.namespace ?? ''}`,
      object,
    );
  }
  const watches: ResilientWatch<KubernetesObject>[] = [];
  const result = await new Promise<boolean>((resolve) => {
    const synced = new Set<ResilientWatch<KubernetesObject>>();
    const check = (): void => {
      if (synced.size < watches.length) return;
      const present = new Set<string>();
      for (const watch of watches)
        for (const object of watch.objects.values()) present.add(objectKey(object));
      if ([...pending].every((key) => !present.has(key))) done(true);
    };
    const timer = setTimeout(() => done(false), options.timeoutMs);
    const onAbort = (): void => done(false);
    options.signal.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    function done(value: boolean): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(value);
    }
    for (const sample of groups.values()) {
      const watch = new ResilientWatch<KubernetesObject>({
        config: kube.config,
        objects: kube.objects,
        apiVersion: sample.apiVersion ?? '',
        kind: sample.kind ?? '',
        ...(sample.metadata?.namespace ? { namespace: sample.metadata.namespace } : {}),
        labelSelector: options.labelSelector,
        onChange: check,
      });
      watches.push(watch);
      void watch.start().then(() => {
        synced.add(watch);
        check();
      });
    }
  });
  await Promise.all(watches.map((watch) => watch.stop()));
  return result;
}
