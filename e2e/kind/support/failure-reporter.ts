// The kind suite's reporter: mocha's spec output, and when a test failed, what the cluster
// looked like, so a red CI run can be understood from its log alone. It prints the clues a
// person would look for first (the gateway's failed requests with the upstream error it saw,
// pods not ready or restarted, kube-router's errors) and writes the whole picture (every pod,
// the namespace's events, the gateway's and kube-router's logs) to
// .testbed/kind/diagnostics/. It runs in the reporter's `done`, which mocha awaits, so hook
// failures are covered too.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import Mocha from 'mocha';
import { connectKindCluster } from './kind-cluster.ts';
import type { KindCluster } from './kind-cluster.ts';

/** Lines of each clue printed to the console (the file has them all). */
const PRINTED_LINES = 8;

interface Section {
  readonly title: string;
  /** What the console shows. */
  readonly clues: string[];
  /** What the file keeps. */
  readonly full: string[];
}

export default class KindFailureReporter extends Mocha.reporters.Spec {
  readonly #startedAt = Date.now();

  override done(failures: number, finish: (failures: number) => void): void {
    if (failures === 0) {
      finish(failures);
      return;
    }
    const sinceSeconds = Math.ceil((Date.now() - this.#startedAt) / 1000) + 60;
    Promise.resolve()
      .then(async () => {
        const cluster = connectKindCluster();
        printAndSave(cluster.repoRoot, await describeCluster(cluster, sinceSeconds));
      })
      .catch((error: unknown) =>
        console.log(`\n  (the cluster could not be described after the failure: ${String(error)})`),
      )
      .finally(() => finish(failures));
  }
}

async function describeCluster(cluster: KindCluster, sinceSeconds: number): Promise<Section[]> {
  const { core, namespace } = cluster;
  const pods = (await core.listNamespacedPod({ namespace })).items;
  const events = (await core.listNamespacedEvent({ namespace })).items;
  const gatewayLogs = await logsOf(core, namespace, 'app.kubernetes.io/name=gateway', sinceSeconds);
  const routerLogs = await logsOf(core, 'kube-system', 'k8s-app=kube-router', sinceSeconds);
  return [
    {
      title: `pods of ${namespace} not ready or restarted`,
      clues: pods.filter((pod) => !isReady(pod) || restartsOf(pod) > 0).map(podLine),
      full: pods.map(podLine),
    },
    {
      title: 'the gateway’s failed requests (status >= 500) and warnings',
      clues: gatewayLogs.filter(isGatewayTrouble),
      full: gatewayLogs,
    },
    {
      title: 'kube-router errors',
      clues: routerLogs.filter((line) => /\bE\d{4} |level=error/.test(line)),
      full: routerLogs,
    },
    {
      title: `events of ${namespace}`,
      clues: [],
      full: events.map(
        (event) =>
          `${String(event.lastTimestamp ?? event.eventTime ?? '')} ${event.type ?? ''} ${event.reason ?? ''} ${event.involvedObject.kind ?? ''}/${event.involvedObject.name ?? ''}: ${event.message ?? ''}`,
      ),
    },
  ];
}

/** Every container log line of the pods `selector` picks, each prefixed with its pod. */
async function logsOf(
  core: CoreV1Api,
  namespace: string,
  selector: string,
  sinceSeconds: number,
): Promise<string[]> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
  const lines: string[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    const container = pod.spec?.containers[0]?.name;
    const log = await core
      .readNamespacedPodLog({ name, namespace, container, sinceSeconds })
      .catch((error: unknown) => `(no log: ${String(error)})`);
    for (const line of log.split('\n')) if (line !== '') lines.push(`${name}: ${line}`);
  }
  return lines;
}

function isGatewayTrouble(line: string): boolean {
  const json = line.slice(line.indexOf('{'));
  try {
    const entry = JSON.parse(json) as { level?: string; status?: number };
    return entry.level === 'warn' || entry.level === 'error' || (entry.status ?? 0) >= 500;
  } catch {
    return false;
  }
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function restartsOf(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);
}

function podLine(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  return [
    pod.metadata?.name,
    pod.spec?.nodeName ?? 'unscheduled',
    pod.status?.podIP ?? 'no-ip',
    isReady(pod) ? 'ready' : 'NOT ready',
    `${restartsOf(pod)} restart(s)`,
    waiting ? `${waiting.reason ?? ''}: ${waiting.message ?? ''}` : '',
  ]
    .join('  ')
    .trim();
}

function printAndSave(repoRoot: string, sections: Section[]): void {
  const directory = join(repoRoot, '.testbed', 'kind', 'diagnostics');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `failure-${new Date().toISOString().replaceAll(':', '')}.txt`);
  writeFileSync(
    file,
    sections.map((s) => `== ${s.title}\n${s.full.join('\n')}\n`).join('\n'),
    'utf8',
  );
  console.log('\n  The cluster after the failures (all of it in %s):', file);
  for (const section of sections) {
    if (section.clues.length === 0) continue;
    console.log(`\n  ${section.title}:`);
    for (const line of section.clues.slice(-PRINTED_LINES))
      console.log(`    ${line.slice(0, 400)}`);
  }
}
