import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Drains a queue with several concurrent long-pollers and records, per CloudEvent, the lag
 * from its `time` (set when it was published) to its arrival here. Stops once `expected`
 * events have arrived or `stop()` is called.
 */
export class LagReader {
  readonly lagsMs: number[] = [];
  /** Copies of an event that arrived more than once. */
  duplicates = 0;
  /** When the last expected event arrived (performance.timeOrigin-relative ms). */
  lastArrivalMs = 0;
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #seen = new Set<string>();
  #expected = Number.POSITIVE_INFINITY;
  #running = true;
  #done: () => void = () => undefined;
  readonly #pollers: Promise<void>[];

  constructor(sqs: SQSClient, queueUrl: string, pollers = 4) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
    this.#pollers = Array.from({ length: pollers }, () => this.#poll());
  }

  /** Resolves once `count` distinct events have arrived (duplicates are counted apart). */
  waitFor(count: number): Promise<void> {
    this.#expected = count;
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    if (this.#seen.size >= count) this.#done();
    return finished;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#pollers);
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      const { Messages } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      if (Messages === undefined || Messages.length === 0) continue;
      const now = Date.now();
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as { id: string; time: string };
        if (this.#seen.has(event.id)) {
          this.duplicates += 1;
          continue;
        }
        this.#seen.add(event.id);
        this.lagsMs.push(now - Date.parse(event.time));
      }
      await this.#sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (this.#seen.size >= this.#expected) {
        this.lastArrivalMs = performance.now();
        this.#done();
      }
    }
  }
}
