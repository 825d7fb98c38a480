import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsConsumer } from '@shoal/kit';
import type { Logger } from '@shoal/kit';
import type { Profiles } from '../domain/profiles.ts';
import { userRegisteredData } from './user-events.ts';

export interface RegistrationConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly profiles: Profiles;
  /** Only registrations from this source are believed (anyone with events:publish could post one). */
  readonly trustedSource: string;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly logger: Logger;
}

/**
 * Consumes `user-events`: `auth.user.registered` from auth creates the profile (idempotent, so
 * redeliveries and replays are harmless). Other types are acknowledged and ignored; a
 * registration that does not parse throws, so after a few receives it waits in the DLQ.
 */
export function createRegistrationConsumer(options: RegistrationConsumerOptions): SqsConsumer {
  const { logger } = options;
  return new SqsConsumer({
    client: options.sqs,
    queueUrl: options.queueUrl,
    concurrency: options.concurrency,
    waitTimeSeconds: options.waitTimeSeconds,
    retryDelaySec: (receiveCount) => Math.min(60, 2 ** receiveCount),
    logger,
    handler: async (event) => {
      if (event.type !== 'auth.user.registered') return;
      if (event.source !== options.trustedSource) {
        logger.warn('registration from an untrusted source ignored', {
          event_id: event.id,
          source: event.source,
        });
        return;
      }
      await options.profiles.registered(userRegisteredData.parse(event.data));
    },
  });
}
