/**
 * A long-running part of a service (an SQS consumer, an outbox relay): started after the
 * server listens, stopped on shutdown before pools close. `stop` stops taking new work,
 * finishes what is in flight within its own bound, then resolves.
 */
export interface Worker {
  start(): void;
  stop(): Promise<void>;
}

/** Releases a resource at shutdown (a pg pool, a mongo client), after workers have stopped. */
export type Closer = () => Promise<void>;
