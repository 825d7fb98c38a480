// Reads a queue empty and counts how often each CloudEvent id arrived, to prove "nothing lost"
// (every id at least once) and to measure duplicates.
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Receives until every id in `expected` has arrived and one more long poll comes back empty
 * (so late duplicates are counted too), or until `timeoutMs`. Returns arrivals per id.
 */
export async function drainIds(
  client: SQSClient,
  queueUrl: string,
  expected: ReadonlySet<string>,
  timeoutMs = 30_000,
): Promise<Map<string, number>> {
  const arrivals = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const message of Messages) {
      const { id } = JSON.parse(message.Body ?? '{}') as { id?: string };
      if (id !== undefined) arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
    }
    if (Messages.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    const complete = [...expected].every((id) => arrivals.has(id));
    if ((complete && Messages.length === 0) || Date.now() > deadline) return arrivals;
  }
}

/** Total arrivals beyond the first, over all ids. */
export function duplicates(arrivals: Map<string, number>): number {
  return [...arrivals.values()].reduce((sum, n) => sum + n - 1, 0);
}
