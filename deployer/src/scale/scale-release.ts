// `shoal scale`: fix a release's replicas (autoscaler off) or its autoscaler's bounds, now and
// for every later deploy. The intent is recorded first (the overrides state record), then the
// live objects are changed: a fixed count is patched into each Deployment/StatefulSet and the
// autoscalers are deleted; bounds are applied to the release's autoscalers, rendered afresh so
// that an autoscaler a fixed count had removed comes back.
import { PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describeKubeError } from '../errors/kube-error.ts';
import { usageError } from '../errors/shoal-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import { deleteObject, serverSideApply } from '../kube/server-side-apply.ts';
import type { Release } from '../platform-file/platform.ts';
import { helmTemplate } from '../render/helm-template.ts';
import { trackObjects } from '../render/tracking.ts';
import { applyOverrides } from '../state/apply-overrides.ts';
import { FIELD_MANAGER, releaseSelector } from '../state/labels.ts';
import { readOverrides, writeOverrides } from '../state/overrides.ts';
import type { ReleaseOverrides } from '../state/overrides.ts';

/** What was asked: a fixed count, autoscaler bounds, or back to what the chart says. */
export type ScaleRequest =
  | { mode: 'replicas'; replicas: number }
  | { mode: 'bounds'; minReplicas?: number; maxReplicas?: number }
  | { mode: 'reset' };

/** What a scale did. */
export interface ScaleResult {
  release: string;
  namespace: string;
  before: ReleaseOverrides;
  overrides: ReleaseOverrides;
  /** One line per object changed ("Deployment/auth: replicas 2 -> 3"). */
  changes: string[];
}

/** The overrides a request leads to, from the ones recorded (bounds merge, a count replaces). */
export function nextOverrides(current: ReleaseOverrides, request: ScaleRequest): ReleaseOverrides {
  if (request.mode === 'reset') return {};
  if (request.mode === 'replicas') return { replicas: request.replicas };
  const next: ReleaseOverrides = {};
  const minReplicas = request.minReplicas ?? current.minReplicas;
  const maxReplicas = request.maxReplicas ?? current.maxReplicas;
  if (minReplicas !== undefined) next.minReplicas = minReplicas;
  if (maxReplicas !== undefined) next.maxReplicas = maxReplicas;
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
    throw usageError(
      `--min ${minReplicas} is above --max ${maxReplicas}${request.maxReplicas === undefined ? ' (recorded earlier)' : ''}.`,
    );
  }
  return next;
}

/** Scales a release and records the override; `helm` renders its autoscalers for bounds. */
export async function scaleRelease(
  kube: KubeClients,
  release: Release,
  request: ScaleRequest,
  helm: string,
): Promise<ScaleResult> {
  const before = await readOverrides(kube, release.name, release.namespace);
  const overrides = nextOverrides(before, request);
  const selector = releaseSelector(release.name, release.namespace);
  const list = async <T extends KubernetesObject>(apiVersion: string, kind: string) => {
    try {
      return (
        await kube.objects.listAll<T>(apiVersion, kind, {
          namespace: release.namespace,
          labelSelector: selector,
        })
      ).items;
    } catch (error) {
      throw describeKubeError(error, `list the ${kind}s of ${release.name}`, kube.server);
    }
  };
  const workloads = [
    ...(await list('apps/v1', 'Deployment')),
    ...(await list('apps/v1', 'StatefulSet')),
  ] as (KubernetesObject & { spec?: { replicas?: number } })[];
  if (workloads.length === 0) {
    throw usageError(
      `${release.name} has no Deployment or StatefulSet in namespace ${release.namespace}: deploy it first (shoal deploy ${release.name}).`,
    );
  }
  const changes: string[] = [];
  if (request.mode === 'replicas') {
    await writeOverrides(kube, release.name, release.namespace, overrides);
    // The autoscalers go first, so none of them scales the workloads back in between.
    for (const hpa of await list('autoscaling/v2', 'HorizontalPodAutoscaler')) {
      await deleteObject(kube, hpa);
      changes.push(`HorizontalPodAutoscaler/${hpa.metadata?.name ?? ''}: deleted (autoscaler off)`);
    }
    for (const workload of workloads) {
      const name = workload.metadata?.name ?? '';
      try {
        await kube.objects.patch(
          {
            apiVersion: workload.apiVersion,
            kind: workload.kind,
            metadata: { name, namespace: release.namespace },
            spec: { replicas: request.replicas },
          } as KubernetesObject,
          undefined,
          undefined,
          FIELD_MANAGER,
          undefined,
          PatchStrategy.MergePatch,
        );
      } catch (error) {
        throw describeKubeError(error, `scale ${workload.kind ?? ''}/${name}`, kube.server);
      }
      changes.push(
        `${workload.kind ?? ''}/${name}: replicas ${workload.spec?.replicas ?? 1} -> ${request.replicas}`,
      );
    }
    return { release: release.name, namespace: release.namespace, before, overrides, changes };
  }
  // Bounds (or back to the chart's): the release's autoscalers as the chart renders them now,
  // with the new overrides in, applied whole (a partial apply would drop shoal's other fields).
  const rendered = await trackObjects(
    await helmTemplate(helm, release),
    release.name,
    release.namespace,
    (apiVersion, kind) => kube.objects.isNamespaced(apiVersion, kind),
  );
  const autoscalers = applyOverrides(rendered, overrides).objects.filter(
    (object) => object.kind === 'HorizontalPodAutoscaler',
  ) as V2HorizontalPodAutoscaler[];
  if (autoscalers.length === 0) {
    throw usageError(
      `${release.name} has no autoscaler (its chart renders no HorizontalPodAutoscaler with these values): use --replicas.`,
    );
  }
  await writeOverrides(kube, release.name, release.namespace, overrides);
  const live = new Map(
    (await list<V2HorizontalPodAutoscaler>('autoscaling/v2', 'HorizontalPodAutoscaler')).map(
      (hpa) => [hpa.metadata?.name ?? '', hpa],
    ),
  );
  for (const autoscaler of autoscalers) {
    const name = autoscaler.metadata?.name ?? '';
    const was = live.get(name);
    await serverSideApply(kube, autoscaler, { force: true });
    const bounds = `${autoscaler.spec?.minReplicas ?? 1}..${autoscaler.spec?.maxReplicas ?? '?'}`;
    changes.push(
      was
        ? `HorizontalPodAutoscaler/${name}: replicas ${was.spec?.minReplicas ?? 1}..${was.spec?.maxReplicas ?? '?'} -> ${bounds}`
        : `HorizontalPodAutoscaler/${name}: created, replicas ${bounds} (autoscaler on)`,
    );
  }
  return { release: release.name, namespace: release.namespace, before, overrides, changes };
}
