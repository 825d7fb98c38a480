// A Secret's values as text, the way an operator reads them (kubectl get secret -o json | base64 -d).
import { ApiException } from '@kubernetes/client-node';
import type { KindCluster } from './kind-cluster.ts';

/** The decoded data of Secret `name` in the platform's namespace, or undefined when it does not exist. */
export async function readSecretData(
  cluster: KindCluster,
  name: string,
): Promise<Record<string, string> | undefined> {
  try {
    const secret = await cluster.core.readNamespacedSecret({ name, namespace: cluster.namespace });
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    );
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}
