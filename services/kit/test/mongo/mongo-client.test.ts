import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDepsEnv } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import type { ServerHeartbeatFailedEvent } from 'mongodb';
import { CloseAwareConnection } from '../../src/mongo/close-aware-connection.ts';
import { createMongoClient } from '../../src/mongo/mongo-client.ts';

/** The driver internals the race is staged with (mongodb 7.x, not public API). */
interface MonitoredServer {
  requestCheck(): void;
  readonly monitor: {
    readonly connection: { readonly socket: Socket } | null;
    readonly monitorId?: { readonly isExecutionInProgress: boolean };
  };
}

function theServer(client: MongoClient): MonitoredServer {
  const internals = client as unknown as {
    topology?: { s: { servers: Map<string, MonitoredServer> } };
  };
  const [server] = internals.topology?.s.servers.values() ?? [];
  assert.ok(server, 'the client is connected to one server');
  return server;
}

/**
 * A database restart at the worst moment: the server has closed the monitor's connection (Node
 * has destroyed the socket; its 'close' event comes at the end of this event-loop turn) and, in
 * the same turn, an operation that just failed asks the monitor for a check, whose hello is
 * written into that socket.
 */
async function closeMonitorSocketAsACheckStarts(client: MongoClient): Promise<MonitoredServer> {
  await client.db('admin').command({ ping: 1 });
  await sleep(600); // a requested check runs at once only 500 ms after the previous one
  const server = theServer(client);
  const socket = server.monitor.connection?.socket;
  assert.ok(socket, 'the monitor holds its connection between checks');
  socket.destroy();
  server.requestCheck();
  return server;
}

describe('mongo: createMongoClient against FerretDB', function () {
  this.timeout(20_000);
  const { MONGO_URL } = loadDepsEnv();

  it('When the monitor’s socket is closed just as a check writes to it, then the check fails at once and the next one finds the server', async () => {
    const client = createMongoClient(MONGO_URL);
    try {
      const failed = once(client, 'serverHeartbeatFailed', {
        signal: AbortSignal.timeout(3000),
      }) as Promise<[ServerHeartbeatFailedEvent]>;
      const server = await closeMonitorSocketAsACheckStarts(client);
      assert.ok(server.monitor.connection instanceof CloseAwareConnection);
      const [event] = await failed;
      assert.match(event.failure.message, /closed while a write waited to drain/);
      // The monitor goes on checking: the server is found again.
      await client.db('admin').command({ ping: 1 });
    } finally {
      await client.close();
    }
  });

  it('When the same happens to a plain driver client, then its check never ends (the driver defect CloseAwareConnection works around: once this fails, the driver is fixed and CloseAwareConnection can go)', async () => {
    const client = new MongoClient(MONGO_URL, { serverSelectionTimeoutMS: 5000 });
    try {
      const server = await closeMonitorSocketAsACheckStarts(client);
      let checksEnded = 0;
      client.on('serverHeartbeatSucceeded', () => checksEnded++);
      client.on('serverHeartbeatFailed', () => checksEnded++);
      await sleep(3000);
      assert.equal(checksEnded, 0);
      assert.equal(server.monitor.monitorId?.isExecutionInProgress, true);
    } finally {
      await client.close();
    }
  });
});
