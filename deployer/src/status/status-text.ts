// `shoal status` for people: one block per release, its health first, then what runs, how it
// scales and where it is reached.
import { describeCpu } from './live-summaries.ts';
import type { ReleaseStatus, StatusDocument } from './status-schema.ts';

/** The text lines of a status document. */
export function statusLines(document: StatusDocument): string[] {
  const lines: string[] = [];
  for (const release of document.releases) {
    lines.push(...releaseLines(release), '');
  }
  const unhealthy = document.releases.filter((release) => release.health.status !== 'Healthy');
  lines.push(
    unhealthy.length === 0
      ? `All ${document.releases.length} release(s) healthy.`
      : `${unhealthy.length} of ${document.releases.length} release(s) not healthy: ${unhealthy.map((release) => `${release.name} ${release.health.status}`).join(', ')}.`,
  );
  return lines;
}

/** The block of one release. */
export function releaseLines(release: ReleaseStatus): string[] {
  const revision =
    release.revision === null
      ? 'no deployed revision'
      : `revision ${release.revision} (${(release.deployedAt ?? '').replace(/\.\d+Z$/, 'Z')})`;
  const lines = [
    `${release.name}  ${release.namespace}  ${revision}  ${release.health.status}${release.health.reason ? `: ${release.health.reason}` : ''}`,
  ];
  if (release.latestRevision) {
    const latest = release.latestRevision;
    lines.push(
      `  latest revision ${latest.revision} ${latest.status}${latest.failure ? `: ${latest.failure}` : ''}`,
    );
  }
  const nameWidth = Math.max(
    0,
    ...release.workloads.map((workload) => `${workload.kind}/${workload.name}`.length),
  );
  for (const workload of release.workloads) {
    lines.push(
      `  ${`${workload.kind}/${workload.name}`.padEnd(nameWidth)}  desired ${workload.desired}  updated ${workload.updated}  ready ${workload.ready}  available ${workload.available}  ${workload.images.join(', ')}`,
    );
  }
  for (const autoscaler of release.autoscalers) {
    const cpu = describeCpu(autoscaler);
    lines.push(
      `  autoscaler ${autoscaler.name}: ${autoscaler.minReplicas}..${autoscaler.maxReplicas} replicas, ${autoscaler.currentReplicas} current${autoscaler.desiredReplicas > 0 && autoscaler.desiredReplicas !== autoscaler.currentReplicas ? `, ${autoscaler.desiredReplicas} desired` : ''}${cpu ? `, ${cpu}` : ''}`,
    );
  }
  const { replicas, minReplicas, maxReplicas } = release.overrides;
  if (replicas !== undefined) {
    lines.push(`  scale override: ${replicas} replicas, autoscaler off (shoal scale)`);
  } else if (minReplicas !== undefined || maxReplicas !== undefined) {
    lines.push(
      `  scale override: autoscaler bounds ${minReplicas ?? 'chart'}..${maxReplicas ?? 'chart'} (shoal scale)`,
    );
  }
  for (const route of release.routes) {
    lines.push(
      `  route http://${route.host}${route.path} -> ${route.backend}${route.address ? ` (at ${route.address})` : ''}`,
    );
  }
  for (const problem of release.problems.slice(0, 5)) {
    lines.push(
      `  ${problem.health.status}: ${problem.kind}/${problem.name}: ${problem.health.reason}`,
    );
  }
  return lines;
}
