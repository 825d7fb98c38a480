import { MongoClient } from 'mongodb';
import type { MongoClientOptions } from 'mongodb';
import { CloseAwareConnection } from './close-aware-connection.ts';

/**
 * The MongoClient of a Shoal service (MongoDB, or FerretDB in the testbeds).
 *
 * - Server selection gives up after 5 s, not the driver's 30 s: while the database is away,
 *   readiness checks and requests fail within seconds instead of piling up.
 * - Its connections are CloseAwareConnections: without them, a database restart can leave the
 *   driver's server monitor waiting forever on a closed socket, and the service failing every
 *   MongoDB call until it is restarted (close-aware-connection.ts says how).
 */
export function createMongoClient(url: string): MongoClient {
  // `connectionType` is a driver option its public typings leave out, hence the wider type.
  const options: MongoClientOptions & { connectionType: typeof CloseAwareConnection } = {
    serverSelectionTimeoutMS: 5_000,
    connectionType: CloseAwareConnection,
  };
  return new MongoClient(url, options);
}
