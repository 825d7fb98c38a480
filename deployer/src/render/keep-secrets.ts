// Credentials the charts generate (database passwords, auth's key-encryption key) are random on
// every `helm template`: only the first deploy may write them. So a rendered Secret keeps
// every key the live Secret already has, with the live value; new keys are added.
import type { KubernetesObject } from '@kubernetes/client-node';

type SecretLike = KubernetesObject & {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

/** Returns the objects with each rendered Secret's existing keys set to their live values. */
export function keepLiveSecretValues(
  objects: KubernetesObject[],
  liveSecret: (name: string, namespace: string | undefined) => SecretLike | undefined,
): KubernetesObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return object;
    const secret = structuredClone(object) as SecretLike;
    // stringData is write-only sugar for data: fold it in, so one rule covers both.
    const data: Record<string, string> = { ...secret.data };
    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
      data[key] = Buffer.from(value, 'utf8').toString('base64');
    }
    delete secret.stringData;
    const live = liveSecret(secret.metadata?.name ?? '', secret.metadata?.namespace);
    for (const key of Object.keys(data)) {
      const kept = live?.data?.[key];
      if (kept !== undefined) data[key] = kept;
    }
    secret.data = data;
    return secret;
  });
}
