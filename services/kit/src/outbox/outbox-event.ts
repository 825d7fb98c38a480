import type { CloudEvent } from '../messaging/cloud-event.ts';

/** An event to publish once the change that caused it is committed. */
export interface OutboxEvent {
  /** Destination: a queue name (resolved to its URL by the relay) or a full queue URL. */
  queue: string;
  event: CloudEvent;
}
