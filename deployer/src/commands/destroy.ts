// `shoal destroy [release...] [--keep-data]`: deletes what releases deployed, dependents first,
// and their history. With --keep-data the data survives: volume claims and Secrets (generated
// credentials: a later deploy finds and keeps them, so the data stays readable).
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { deleteObject } from '../kube/server-side-apply.ts';
import { waitUntilGone } from '../kube/wait-gone.ts';
import { findStrays } from '../plan/planner.ts';
import { applyGroups } from '../render/apply-order.ts';
import { dependencyWaves } from '../platform-file/platform.ts';
import type { CliRuntime } from '../runtime.ts';
import { DATA_OF_LABEL, releaseSelector } from '../state/labels.ts';
import { writeOverrides } from '../state/overrides.ts';
import { lockName } from '../state/release-lock.ts';
import { RevisionStore } from '../state/revisions.ts';

interface DestroyFlags {
  keepData?: boolean;
  yes?: boolean;
}

/** Kinds shoal looks for even when a release has no history (an interrupted first deploy). */
const COMMON_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
];

/** Adds `destroy` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('destroy')
    .description('delete releases (all by default), dependents first, with their history')
    .argument('[release...]', 'releases to delete (default: all)')
    .option(
      '--keep-data',
      'keep volume claims and Secrets (credentials), so a later deploy finds the data',
    )
    .addHelpText(
      'after',
      `
Examples:
  shoal destroy                  everything the platform file deploys, and its data
  shoal destroy --keep-data      everything but the databases' volumes and credentials
  shoal destroy gateway          one release`,
    )
    .action(async (names: string[], flags: DestroyFlags, command: Command) => {
      const context = runtime.contextFor(command);
      context.selectReleases(names);
      const kube = context.kube;
      const store = new RevisionStore(kube);
      const waves = dependencyWaves(context.platform.releases, names).reverse();
      const results: {
        name: string;
        namespace: string;
        deleted: string[];
        kept: string[];
        gone: boolean;
      }[] = [];
      for (const wave of waves) {
        const waveResults = await Promise.all(
          wave.map(async (release) => {
            const history = await store.list(release.name, release.namespace);
            const previousKinds = [
              ...COMMON_KINDS,
              ...history.flatMap((revision) =>
                revision.manifests.map((object) => ({
                  apiVersion: object.apiVersion ?? '',
                  kind: object.kind ?? '',
                })),
              ),
            ];
            const objects = await findStrays(kube, {
              release: release.name,
              namespace: release.namespace,
              desired: [],
              previousKinds,
            });
            const kept = flags.keepData ? objects.filter((object) => object.kind === 'Secret') : [];
            let doomed = objects.filter((object) => !kept.includes(object));
            if (!flags.keepData)
              doomed = [
                ...doomed,
                ...(await dataClaims(context.kube, release.name, release.namespace)),
              ];
            for (const group of applyGroups(doomed).reverse()) {
              await mapLimited(group, 8, (object) => deleteObject(kube, object));
            }
            const gone = await waitUntilGone(
              kube,
              doomed.filter((object) => object.kind !== 'PersistentVolumeClaim'),
              {
                labelSelector: releaseSelector(release.name, release.namespace),
                timeoutMs: 120_000,
                signal: context.signal,
              },
            );
            await store.deleteAll(release.name, release.namespace);
            // A lock left by a deploy that was killed goes too (none is there normally).
            await kube.config
              .makeApiClient(CoordinationV1Api)
              .deleteNamespacedLease({ name: lockName(release.name), namespace: release.namespace })
              .catch(() => undefined);
            await writeOverrides(kube, release.name, release.namespace, {});
            const describe = (object: KubernetesObject): string =>
              `${object.kind ?? ''}/${object.metadata?.name ?? ''}`;
            const result = {
              name: release.name,
              namespace: release.namespace,
              deleted: doomed.map(describe),
              kept: kept.map(describe),
              gone,
            };
            context.say(
              `${release.name}: deleted ${result.deleted.length} object(s)${kept.length > 0 ? `, kept ${kept.length} Secret(s)` : ''}${gone ? '' : ' (some still terminating)'}`,
            );
            return result;
          }),
        );
        results.push(...waveResults);
      }
      // The platform's generated Secrets go with the whole platform, unless the data stays.
      const secrets: string[] = [];
      if (names.length === 0 && !flags.keepData) {
        for (const secret of context.platform.secrets) {
          const removed = await deleteObject(kube, {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: secret.name, namespace: secret.namespace },
          });
          if (removed) secrets.push(`${secret.namespace}/${secret.name}`);
        }
        if (secrets.length > 0) context.say(`secrets: deleted ${secrets.join(', ')}`);
      }
      context.emitJson({ releases: results, secrets, keepData: flags.keepData === true });
      runtime.exitCode = context.signal.aborted ? ExitCode.Interrupted : ExitCode.Ok;
    });
}

/** The volume claims a release's StatefulSets made (labelled through their claim templates). */
async function dataClaims(
  kube: KubeClients,
  release: string,
  namespace: string,
): Promise<KubernetesObject[]> {
  const listed = await kube.objects.listAll('v1', 'PersistentVolumeClaim', {
    namespace,
    labelSelector: `${DATA_OF_LABEL}=${release}`,
  });
  return listed.items;
}
