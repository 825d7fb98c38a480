// Marks every rendered object with its release (the labels prune and destroy select by), puts
// namespaced objects that name no namespace in the release's namespace, and labels pod templates so the release's
// pods can be watched and diagnosed by one selector.
import type { KubernetesObject } from '@kubernetes/client-node';
import { DATA_OF_LABEL, RELEASE_LABEL, RELEASE_NAMESPACE_LABEL } from '../state/labels.ts';

/** Says whether a kind is namespaced (from API discovery). */
export type NamespacedLookup = (apiVersion: string, kind: string) => Promise<boolean>;

type Labelled = { metadata?: { labels?: Record<string, string> } };

/** Returns labelled copies of the objects, namespaced ones without a namespace placed in `namespace`. */
export async function trackObjects(
  objects: KubernetesObject[],
  release: string,
  namespace: string,
  isNamespaced: NamespacedLookup,
): Promise<KubernetesObject[]> {
  const tracking = { [RELEASE_LABEL]: release, [RELEASE_NAMESPACE_LABEL]: namespace };
  const result: KubernetesObject[] = [];
  for (const object of objects) {
    const copy = structuredClone(object);
    copy.metadata = { ...copy.metadata, labels: { ...copy.metadata?.labels, ...tracking } };
    if (await isNamespaced(copy.apiVersion ?? '', copy.kind ?? '')) {
      // As helm does: a chart that names a namespace means it (metrics-server's RoleBinding
      // must live in kube-system); charts are rendered with --namespace, so the objects that
      // name .Release.Namespace already say the release's.
      copy.metadata.namespace = copy.metadata.namespace || namespace;
    } else {
      delete copy.metadata.namespace;
    }
    for (const template of podTemplates(copy)) {
      template.metadata = {
        ...template.metadata,
        labels: { ...template.metadata?.labels, ...tracking },
      };
    }
    const claims = (copy as { spec?: { volumeClaimTemplates?: Labelled[] } }).spec
      ?.volumeClaimTemplates;
    for (const claim of claims ?? []) {
      claim.metadata = {
        ...claim.metadata,
        labels: { ...claim.metadata?.labels, [DATA_OF_LABEL]: release },
      };
    }
    result.push(copy);
  }
  return result;
}

/** The pod templates inside a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, ...). */
export function podTemplates(object: KubernetesObject): Labelled[] {
  const spec = (object as { spec?: Record<string, unknown> }).spec;
  if (!spec) return [];
  const templates: Labelled[] = [];
  const template = spec.template as Labelled | undefined;
  if (template && object.kind !== 'PodTemplate') templates.push(template);
  const jobTemplate = spec.jobTemplate as { spec?: { template?: Labelled } } | undefined;
  if (jobTemplate?.spec?.template) templates.push(jobTemplate.spec.template);
  return templates;
}

/** The container images of the objects' pod templates, sorted and without repeats. */
export function imagesOf(objects: KubernetesObject[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    for (const template of podTemplates(object)) {
      const podSpec = (
        template as {
          spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
        }
      ).spec;
      for (const container of [
        ...(podSpec?.initContainers ?? []),
        ...(podSpec?.containers ?? []),
      ]) {
        if (container.image) images.add(container.image);
      }
    }
  }
  return [...images].sort();
}

/** `Kind/namespace/name`: an object's identity within a release (group included for clarity). */
export function objectKey(object: KubernetesObject): string {
  const group = (object.apiVersion ?? '').includes('/')
    ? (object.apiVersion ?? '').split('/')[0]
    : '';
  return `${object.kind ?? ''}${group ? `.${group}` : ''}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** `Kind/name` for messages. */
export function objectRef(object: KubernetesObject): string {
  return `${object.kind ?? ''}/${object.metadata?.name ?? ''}`;
}
