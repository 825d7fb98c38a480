// Pure readers of live objects: the replica counts of a workload, an autoscaler's bounds and
// CPU, an Ingress's routes. `status` and `watch` both show them, from lists or watch caches.
import type {
  KubernetesObject,
  V1Deployment,
  V1Ingress,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { podTemplates } from '../render/tracking.ts';
import type { AutoscalerStatus, RouteStatus, WorkloadStatus } from './status-schema.ts';

/** Replica counts of a Deployment or StatefulSet (spec.replicas defaults to 1, as the API does). */
export function workloadStatus(object: V1Deployment | V1StatefulSet): WorkloadStatus {
  const status = object.status;
  return {
    kind: (object as KubernetesObject).kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment',
    name: object.metadata?.name ?? '',
    desired: object.spec?.replicas ?? 1,
    updated: status?.updatedReplicas ?? 0,
    ready: status?.readyReplicas ?? 0,
    available: status?.availableReplicas ?? 0,
    images: imagesOfWorkload(object),
  };
}

/** The container images of a workload's pod template, sorted. */
export function imagesOfWorkload(object: KubernetesObject): string[] {
  const images = new Set<string>();
  for (const template of podTemplates(object)) {
    const spec = (template as { spec?: { containers?: { image?: string }[] } }).spec;
    for (const container of spec?.containers ?? [])
      if (container.image) images.add(container.image);
  }
  return [...images].sort();
}

/** An autoscaler's bounds, replicas and CPU against its target. */
export function autoscalerStatus(hpa: V2HorizontalPodAutoscaler): AutoscalerStatus {
  const target = hpa.spec?.scaleTargetRef;
  const cpuTarget = hpa.spec?.metrics?.find(
    (metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu',
  );
  const cpuCurrent = hpa.status?.currentMetrics?.find(
    (metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu',
  );
  return {
    name: hpa.metadata?.name ?? '',
    target: target ? `${target.kind}/${target.name}` : '',
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 0,
    currentReplicas: hpa.status?.currentReplicas ?? 0,
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
    cpuPercent: cpuCurrent?.resource?.current.averageUtilization ?? null,
    cpuTargetPercent: cpuTarget?.resource?.target.averageUtilization ?? null,
  };
}

/** The host/path rules of an Ingress, with the address its controller published. */
export function routesOf(ingress: V1Ingress): RouteStatus[] {
  const balancer = ingress.status?.loadBalancer?.ingress?.[0];
  const address = balancer?.hostname ?? balancer?.ip ?? null;
  const routes: RouteStatus[] = [];
  for (const rule of ingress.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      const service = path.backend.service;
      const port = service?.port?.number ?? service?.port?.name ?? '';
      routes.push({
        ingress: ingress.metadata?.name ?? '',
        host: rule.host ?? '*',
        path: path.path ?? '/',
        backend: service ? `${service.name}:${port}` : (path.backend.resource?.name ?? ''),
        address,
      });
    }
  }
  return routes;
}

/** "cpu 145% of 70%" / "cpu ? of 70%" (metrics not in yet) / "" (no CPU target). */
export function describeCpu(autoscaler: AutoscalerStatus): string {
  if (autoscaler.cpuTargetPercent === null) return '';
  const current = autoscaler.cpuPercent === null ? '?' : `${autoscaler.cpuPercent}%`;
  return `cpu ${current} of ${autoscaler.cpuTargetPercent}%`;
}
