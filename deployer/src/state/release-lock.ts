// One deploy (or rollback) of a release at a time, like helm's "another operation is in
// progress": a Lease `shoal.lock.<release>` in the release's namespace, held while its
// objects are applied and waited for. A holder that died (SIGKILL, a lost laptop) stops
// counting once the lease is older than its duration, and the next deploy takes over.
import { hostname, userInfo } from 'node:os';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { V1Lease } from '@kubernetes/client-node';
import { ExitCode } from '../errors/exit-codes.ts';
import { describeKubeError, isConflict, isNotFound } from '../errors/kube-error.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import { STATE_LABEL, STATE_RELEASE_LABEL } from './labels.ts';

/** The Lease name of a release's lock. */
export function lockName(release: string): string {
  return `shoal.lock.${release}`;
}

/** Who holds a lock: user@host and the process. */
export function holderIdentity(): string {
  let user = 'someone';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): keep "someone"
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

/**
 * Takes the release's lock for up to `holdSeconds`; resolves with its release function.
 * Throws a ShoalError naming the holder when another live deploy has it.
 */
export async function lockRelease(
  kube: KubeClients,
  release: string,
  namespace: string,
  holdSeconds: number,
): Promise<() => Promise<void>> {
  const leases = kube.config.makeApiClient(CoordinationV1Api);
  const name = lockName(release);
  const body: V1Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { [STATE_LABEL]: 'lock', [STATE_RELEASE_LABEL]: release },
    },
    spec: { holderIdentity: holderIdentity(), leaseDurationSeconds: Math.ceil(holdSeconds) },
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const created = await leases.createNamespacedLease({ namespace, body });
      const uid = created.metadata?.uid;
      return async () => {
        await leases
          .deleteNamespacedLease({ name, namespace, body: { preconditions: { uid } } })
          .catch(() => undefined); // gone or taken over: nothing of ours to remove
      };
    } catch (error) {
      if (!isConflict(error))
        throw describeKubeError(error, `lock release ${release}`, kube.server);
    }
    let held: V1Lease;
    try {
      held = await leases.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (isNotFound(error)) continue; // released meanwhile: try again
      throw describeKubeError(error, `read the lock of release ${release}`, kube.server);
    }
    const since = held.metadata?.creationTimestamp
      ? new Date(held.metadata.creationTimestamp)
      : new Date();
    const expires = since.getTime() + (held.spec?.leaseDurationSeconds ?? 0) * 1000;
    if (Date.now() < expires) {
      throw new ShoalError(
        `Release ${release} is being deployed by ${held.spec?.holderIdentity ?? 'someone'} since ${since.toISOString()} (Lease ${namespace}/${name}); wait for it to finish, or delete that Lease if the deploy is gone.`,
        ExitCode.Failed,
        { details: { lock: `${namespace}/${name}`, holder: held.spec?.holderIdentity } },
      );
    }
    // Expired: its holder is gone. Remove exactly that lease and try again.
    await leases
      .deleteNamespacedLease({
        name,
        namespace,
        body: { preconditions: { uid: held.metadata?.uid } },
      })
      .catch(() => undefined);
  }
  throw new ShoalError(
    `Could not take the lock of release ${release}; try again.`,
    ExitCode.Failed,
  );
}
