// A Job is healthy once Complete, degraded once Failed, suspended while suspended.
import { conditionOf, degraded, healthy, progressing, suspended } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of a batch/v1 Job. */
export function jobHealth(job: ObjectWithStatus): Health {
  const failed = conditionOf(job, 'Failed');
  if (failed?.status === 'True') {
    return degraded(`job failed: ${[failed.reason, failed.message].filter(Boolean).join(': ')}`);
  }
  const complete = conditionOf(job, 'Complete');
  if (complete?.status === 'True') return healthy('job completed');
  if (job.spec?.suspend === true) return suspended('job suspended');
  return progressing('job running');
}
