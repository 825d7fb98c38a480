// Release history in the cluster, like helm's release Secrets: one Secret per revision in the
// release's namespace, holding the rendered manifests, values and images (gzip + base64).
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { describeKubeError, isNotFound } from '../errors/kube-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import {
  FIELD_MANAGER,
  REVISION_LABEL,
  REVISION_STATUS_LABEL,
  STATE_LABEL,
  STATE_RELEASE_LABEL,
} from './labels.ts';

/** What became of a revision. */
export type RevisionStatus = 'pending' | 'deployed' | 'failed' | 'superseded' | 'rolled-back';

/** One recorded deploy of a release. */
export interface Revision {
  release: string;
  namespace: string;
  revision: number;
  status: RevisionStatus;
  /** ISO time the revision was recorded. */
  time: string;
  /** The chart directory it was rendered from. */
  chart: string;
  /** Values files and inline values it was rendered with. */
  valuesFiles: string[];
  values: Record<string, unknown>;
  /** Container images of its workloads. */
  images: string[];
  /** What made it: "deploy", "rollback to 3". */
  description: string;
  /** Why it failed, for failed revisions. */
  failure?: string;
  /** The objects as applied (labelled, overrides in). */
  manifests: KubernetesObject[];
  /** Per objectKey, the fingerprint of the fields shoal owned right after the apply (plan/apply-fingerprint.ts). */
  fingerprints?: Record<string, string>;
}

/** A revision without its manifests (what history lists). */
export type RevisionSummary = Omit<Revision, 'manifests' | 'fingerprints'>;

/** The Secret name of a revision: `shoal.release.<release>.v<N>`. */
export function revisionSecretName(release: string, revision: number): string {
  return `shoal.release.${release}.v${revision}`;
}

/** Encodes a revision as its Secret. */
export function revisionToSecret(revision: Revision): V1Secret {
  const payload = gzipSync(Buffer.from(JSON.stringify(revision), 'utf8'));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'shoal.dev/release.v1',
    metadata: {
      name: revisionSecretName(revision.release, revision.revision),
      namespace: revision.namespace,
      labels: {
        [STATE_LABEL]: 'release',
        [STATE_RELEASE_LABEL]: revision.release,
        [REVISION_LABEL]: String(revision.revision),
        [REVISION_STATUS_LABEL]: revision.status,
      },
    },
    data: { release: payload.toString('base64') },
  };
}

/** Decodes a revision Secret; its status label wins over the payload (updated in place). */
export function revisionFromSecret(secret: V1Secret): Revision {
  const data = secret.data?.release;
  if (!data) throw new Error(`Secret ${secret.metadata?.name ?? '?'} holds no release record`);
  const revision = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as Revision;
  const status = secret.metadata?.labels?.[REVISION_STATUS_LABEL] as RevisionStatus | undefined;
  return status ? { ...revision, status } : revision;
}

/** Reads and writes the revisions of releases. */
export class RevisionStore {
  readonly #kube: KubeClients;

  constructor(kube: KubeClients) {
    this.#kube = kube;
  }

  /** Every revision of a release, oldest first (an absent namespace means no history). */
  async list(release: string, namespace: string): Promise<Revision[]> {
    try {
      const secrets = await this.#kube.core.listNamespacedSecret({
        namespace,
        labelSelector: `${STATE_LABEL}=release,${STATE_RELEASE_LABEL}=${release}`,
      });
      return secrets.items
        .map((secret) => revisionFromSecret(secret))
        .sort((a, b) => a.revision - b.revision);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw describeKubeError(error, `read the history of release ${release}`, this.#kube.server);
    }
  }

  /** The newest revision whose rollout succeeded (deployed or superseded), if any. */
  async lastGood(release: string, namespace: string): Promise<Revision | undefined> {
    const revisions = await this.list(release, namespace);
    return revisions.findLast((revision) => revision.status === 'deployed');
  }

  /** The revision currently marked deployed, if any. */
  async current(release: string, namespace: string): Promise<Revision | undefined> {
    return this.lastGood(release, namespace);
  }

  /** Records a new revision (number = newest + 1); keeps at most `keep` revisions. */
  async record(
    revision: Omit<Revision, 'revision'>,
    keep = 10,
    known?: Revision[],
  ): Promise<Revision> {
    // `known`: the history the caller just read (saves a round trip); a concurrent record of
    // the same number fails with 409 AlreadyExists rather than overwriting.
    const existing = known ?? (await this.list(revision.release, revision.namespace));
    const number = (existing.at(-1)?.revision ?? 0) + 1;
    const full: Revision = { ...revision, revision: number };
    try {
      await this.#kube.core.createNamespacedSecret({
        namespace: revision.namespace,
        body: revisionToSecret(full),
        fieldManager: FIELD_MANAGER,
      });
    } catch (error) {
      throw describeKubeError(
        error,
        `record revision ${number} of ${revision.release}`,
        this.#kube.server,
      );
    }
    // Older revisions beyond `keep` are deleted, oldest first (never the last good one).
    const lastGood = existing.findLast((entry) => entry.status === 'deployed');
    const surplus = existing.length + 1 - keep;
    for (const old of existing.slice(0, Math.max(0, surplus))) {
      if (old.revision === lastGood?.revision) continue;
      await this.#deleteSecret(revision.namespace, revisionSecretName(old.release, old.revision));
    }
    return full;
  }

  /** Sets a revision's status (and failure reason); marking one deployed supersedes the previous. */
  async setStatus(revision: Revision, status: RevisionStatus, failure?: string): Promise<Revision> {
    const updated: Revision = { ...revision, status, ...(failure ? { failure } : {}) };
    if (status === 'deployed') {
      for (const other of await this.list(revision.release, revision.namespace)) {
        if (other.revision !== revision.revision && other.status === 'deployed') {
          await this.#replace({ ...other, status: 'superseded' });
        }
      }
    }
    await this.#replace(updated);
    return updated;
  }

  /** Deletes every revision of a release. */
  async deleteAll(release: string, namespace: string): Promise<void> {
    try {
      await this.#kube.core.deleteCollectionNamespacedSecret({
        namespace,
        labelSelector: `${STATE_LABEL}=release,${STATE_RELEASE_LABEL}=${release}`,
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw describeKubeError(error, `delete the history of ${release}`, this.#kube.server);
    }
  }

  async #replace(revision: Revision): Promise<void> {
    const body = revisionToSecret(revision);
    try {
      await this.#kube.core.replaceNamespacedSecret({
        name: body.metadata?.name ?? '',
        namespace: revision.namespace,
        body,
        fieldManager: FIELD_MANAGER,
      });
    } catch (error) {
      throw describeKubeError(
        error,
        `update revision ${revision.revision} of ${revision.release}`,
        this.#kube.server,
      );
    }
  }

  async #deleteSecret(namespace: string, name: string): Promise<void> {
    try {
      await this.#kube.core.deleteNamespacedSecret({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw describeKubeError(error, `delete ${name}`, this.#kube.server);
    }
  }
}
