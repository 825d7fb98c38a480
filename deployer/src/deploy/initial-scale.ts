// A workload whose replica count an HPA owns is rendered without `replicas`, so the API
// server creates it with one, and the autoscaler raises it to its minimum only at its next
// sync (up to 15 s later). On create, shoal sets the minimum at once through the scale
// subresource, under its own field manager, so later applies (which never set replicas)
// neither own nor reset the count: from then on it is the autoscaler's.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeKubeError } from '../errors/kube-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import type { ReleasePlan } from '../plan/plan.ts';

/** The field manager of the initial scale (not `shoal`: its applies must not own replicas). */
export const INITIAL_SCALE_MANAGER = 'shoal-initial-scale';

/** A workload to bring to its HPA's minimum. */
export interface InitialScale {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  replicas: number;
}

type Scalable = KubernetesObject & { spec?: { replicas?: number } };
type Autoscaler = KubernetesObject & {
  spec?: { minReplicas?: number; scaleTargetRef?: { kind?: string; name?: string } };
};

/** The workloads the plan creates without replicas that an HPA of the release scales, with its minimum. */
export function initialScales(plan: ReleasePlan): InitialScale[] {
  const autoscalers = plan.changes
    .filter((change) => change.action !== 'prune' && change.kind === 'HorizontalPodAutoscaler')
    .map((change) => change.object as Autoscaler);
  const scales: InitialScale[] = [];
  for (const change of plan.changes) {
    if (change.action !== 'create') continue;
    if (change.kind !== 'Deployment' && change.kind !== 'StatefulSet') continue;
    if ((change.object as Scalable).spec?.replicas !== undefined) continue;
    const autoscaler = autoscalers.find(
      (hpa) =>
        hpa.spec?.scaleTargetRef?.kind === change.kind &&
        hpa.spec.scaleTargetRef.name === change.name,
    );
    const minimum = autoscaler?.spec?.minReplicas ?? 1;
    if (autoscaler && minimum > 1 && change.namespace) {
      scales.push({
        kind: change.kind,
        name: change.name,
        namespace: change.namespace,
        replicas: minimum,
      });
    }
  }
  return scales;
}

/** Sets each workload's replicas through its scale subresource. */
export async function applyInitialScales(kube: KubeClients, scales: InitialScale[]): Promise<void> {
  await Promise.all(scales.map((scale) => applyInitialScale(kube, scale)));
}

/** Sets one workload's replicas through its scale subresource. */
async function applyInitialScale(kube: KubeClients, scale: InitialScale): Promise<void> {
  const request = {
    name: scale.name,
    namespace: scale.namespace,
    fieldManager: INITIAL_SCALE_MANAGER,
    body: {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: scale.name, namespace: scale.namespace },
      spec: { replicas: scale.replicas },
    },
  };
  try {
    if (scale.kind === 'Deployment') await kube.apps.replaceNamespacedDeploymentScale(request);
    else await kube.apps.replaceNamespacedStatefulSetScale(request);
  } catch (error) {
    throw describeKubeError(
      error,
      `scale ${scale.kind} ${scale.namespace}/${scale.name} to ${scale.replicas}`,
      kube.server,
    );
  }
}
