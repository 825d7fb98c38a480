// The reliability suite: one platform on its own data servers, two instances of everything,
// broken in turn while traffic flows; each part says what it injected and what it observed.
import { consumerKillSpecs } from './consumer-kill.ts';
import { databaseRestartSpecs } from './database-restarts.ts';
import { rollingRestartSpecs } from './rolling-restart.ts';
import { sqsOutageSpecs } from './sqs-outage.ts';
import { startReliabilityContext } from './support/reliability-context.ts';
import type { ReliabilityContext } from './support/reliability-context.ts';

describe('Reliability: the platform under faults', function () {
  this.timeout(180_000);
  let context: ReliabilityContext | undefined;
  const current = (): ReliabilityContext => {
    if (context === undefined) throw new Error('the reliability platform did not start');
    return context;
  };

  before(async function () {
    context = await startReliabilityContext();
  });

  after(async function () {
    // Whatever failed, the private servers are brought down with the platform (they are ours).
    await context?.platform.stop();
    await context?.deps.stop();
  });

  rollingRestartSpecs(current);
  consumerKillSpecs(current);
  databaseRestartSpecs(current);
  sqsOutageSpecs(current);
});
