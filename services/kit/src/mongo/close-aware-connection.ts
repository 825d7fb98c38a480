import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { MongoNetworkError } from 'mongodb';

/**
 * The mongodb driver's own connection class. Not part of its public API (7.x exports not even
 * its type), so it is loaded by path; the kit test `mongo-client.test.ts` fails if a driver
 * upgrade moves or changes it.
 */
interface DriverConnection {
  readonly id: number | string;
  readonly address: string;
}
type DriverConnectionClass = new (stream: Duplex, options: object) => DriverConnection;

const { Connection } = createRequire(import.meta.url)('mongodb/lib/cmap/connection.js') as {
  Connection: DriverConnectionClass;
};

/**
 * The driver's connection, plus one thing: a command whose write is waiting for the socket to
 * drain fails when the socket closes, instead of waiting forever.
 *
 * Why (mongodb 7.9, src/cmap/connection.ts `writeCommand`): when `socket.write()` returns
 * false the driver awaits `once(socket, 'drain')`, which settles only on 'drain' or 'error'
 * (src/utils.ts `once`). Node answers a write into a socket it has already destroyed with
 * `false` and no event at all: that is what a write gets in the short window between the
 * server closing the connection (Node ends and destroys the socket) and the 'close' event that
 * tells the driver (`Connection.onClose`). No timeout rescues it either: `setTimeout` on a
 * destroyed socket is a no-op. The command then never settles.
 *
 * Hit by the driver's server monitor, it is fatal: when a database restarts, an operation
 * failing on one pooled connection wakes the monitor in the same event-loop turn in which the
 * monitor's own connection was closed; its `hello` waits forever, the monitor never checks
 * again (src/sdam/monitor.ts `MonitorInterval.wake`: `if (this.isExecutionInProgress) return`),
 * the server stays "Unknown" with the error that marked it so, and every operation fails with
 * that error ("connection 5 to ... closed") until the process restarts.
 *
 * The 'close' event below comes right after: emitting an error then makes the waiting write
 * fail like any network error (the monitor marks the server unknown and checks again, an
 * operation is retried or fails), which is what the driver would do had it heard the close.
 */
export class CloseAwareConnection extends Connection {
  constructor(stream: Duplex, options: object) {
    super(stream, options);
    // Registered after the driver's own 'close' listener, so the connection is already marked
    // closed when the waiting write hears this.
    stream.once('close', () => {
      if (stream.listenerCount('drain') === 0) return;
      stream.emit(
        'error',
        new MongoNetworkError(
          `connection ${this.id} to ${this.address} closed while a write waited to drain`,
        ),
      );
    });
  }
}
