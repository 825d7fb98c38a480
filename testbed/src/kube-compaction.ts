import { loadKubeTestbed } from './kube-env.ts';
import type { KubeTestbed } from './kube-env.ts';

/** etcd's JSON gateway answers with its current revision in every response header. */
interface EtcdStatus {
  header?: { revision?: string };
}

async function etcdPost(etcdUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${etcdUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`etcd ${path} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/**
 * Compacts the testbed's etcd up to its current revision, as the API server does on its own
 * every five minutes: every resourceVersion older than now expires, so a watch or list from
 * one of them gets 410 Gone. Tests of 410 handling call it instead of depending on the
 * cluster's age.
 */
export async function compactKubeHistory(testbed: KubeTestbed = loadKubeTestbed()): Promise<void> {
  const status = (await etcdPost(testbed.etcdUrl, '/v3/maintenance/status', {})) as EtcdStatus;
  const revision = status.header?.revision;
  if (revision === undefined) throw new Error('etcd status carried no revision');
  await etcdPost(testbed.etcdUrl, '/v3/kv/compaction', { revision, physical: true });
}
