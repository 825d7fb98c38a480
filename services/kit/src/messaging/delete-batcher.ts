import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** SQS takes at most ten entries per DeleteMessageBatch. */
const MAX_BATCH = 10;

interface PendingDelete {
  receiptHandle: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Deletes handled messages in DeleteMessageBatch calls instead of one request each. There is no
 * timer: a delete queued while no batch is on the wire goes out on the next turn of the event
 * loop (with whatever else finished in that turn), and deletes queued while a batch is on the
 * wire wait for it and leave together. So an idle consumer adds no latency and a busy one sends
 * up to ten deletes per request. Each caller learns whether its own entry was deleted.
 */
export class DeleteBatcher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  #pending: PendingDelete[] = [];
  #sending = 0;
  #scheduled = false;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  /** Resolves once SQS confirmed this message's deletion; rejects with SQS's reason if not. */
  delete(receiptHandle: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ receiptHandle, resolve, reject });
      if (this.#pending.length >= MAX_BATCH) this.#sendBatch();
      else this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#sending > 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#pending.length > 0) this.#sendBatch();
    });
  }

  #sendBatch(): void {
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.#sending++;
    this.#client
      .send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((entry, index) => ({
            Id: String(index),
            ReceiptHandle: entry.receiptHandle,
          })),
        }),
      )
      .then(
        (result) => {
          const failures = new Map((result.Failed ?? []).map((failure) => [failure.Id, failure]));
          batch.forEach((entry, index) => {
            const failure = failures.get(String(index));
            if (failure === undefined) entry.resolve();
            else entry.reject(new Error(`${failure.Code ?? 'error'}: ${failure.Message ?? ''}`));
          });
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error as Error);
        },
      )
      .finally(() => {
        this.#sending--;
        // What piled up while this batch was on the wire leaves now.
        if (this.#sending === 0 && this.#pending.length > 0) this.#schedule();
      });
  }
}
