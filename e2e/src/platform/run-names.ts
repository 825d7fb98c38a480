// Per-run names for everything the platform creates in the shared testbed (databases, queues,
// the routes' namespace), so a test run and `make dev` side by side never see each other's data.
import { randomBytes } from 'node:crypto';

/** The queues of one run, as the charts name them (platform-events, <subscriber>-events). */
export interface RunQueues {
  /** Producers' outboxes publish here; the event hub ingests it. */
  readonly platformEvents: string;
  readonly userEvents: string;
  readonly notificationEvents: string;
  readonly reportingEvents: string;
}

/** The databases of one run. */
export interface RunDatabases {
  /** PostgreSQL databases (plain SQL identifiers). */
  readonly auth: string;
  readonly reporting: string;
  /** MongoDB (FerretDB) databases. */
  readonly users: string;
  readonly events: string;
  readonly notifications: string;
}

/** Everything a run names. */
export interface RunNames {
  /** `e2e_3f9a1c2b`, `dev_3f9a1c2b`: the prefix of every name below. */
  readonly runId: string;
  /** The Kubernetes-style namespace of the routes file (also keys the gateway's rate limits). */
  readonly namespace: string;
  readonly queues: RunQueues;
  readonly databases: RunDatabases;
}

/** Fresh names for a run; `kind` says whose run it is (`e2e`, `dev`, a suite's own prefix). */
export function runNames(kind: string): RunNames {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(kind)) {
    throw new Error(`runNames: kind "${kind}" must be 1-12 lowercase letters and digits`);
  }
  const runId = `${kind}_${randomBytes(4).toString('hex')}`;
  const dashed = runId.replace('_', '-');
  return {
    runId,
    namespace: dashed,
    queues: {
      platformEvents: `${dashed}-platform-events`,
      userEvents: `${dashed}-user-events`,
      notificationEvents: `${dashed}-notification-events`,
      reportingEvents: `${dashed}-reporting-events`,
    },
    databases: {
      auth: `${runId}_auth`,
      reporting: `${runId}_reporting`,
      users: `${runId}_users`,
      events: `${runId}_events`,
      notifications: `${runId}_notifications`,
    },
  };
}
