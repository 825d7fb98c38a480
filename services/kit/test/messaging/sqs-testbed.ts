// The SQS client and helpers messaging tests share; every queue name is unique per run.
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';

/** A client for the testbed's ElasticMQ (or the given endpoint, e.g. a proxy in front of it). */
export function sqsClient(endpoint?: string): SQSClient {
  const env = loadDepsEnv();
  return new SQSClient({
    endpoint: endpoint ?? env.SQS_ENDPOINT,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 2,
  });
}

/** A queue name no other test run uses. */
export function queueNameFor(prefix: string): string {
  return uniqueName(prefix);
}

/** Polls `condition` every 25 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
