// Where the journey reads the mail the notification service sent: the platform's own SMTP
// sink locally, Mailpit (behind its Ingress) on the cluster. Both answer the same questions.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SmtpSink } from '../../src/index.ts';

/** One message as the journey looks at it. */
export interface MailMessage {
  /** Envelope or header recipients, lowercase. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** Reads the mail sent to an address. */
export interface MailReader {
  /** Where the mail is read from (for messages). */
  readonly description: string;
  /** Every message to `address` so far. */
  to(address: string): Promise<MailMessage[]>;
  /** The first message to `address` that `matches`, polled for at most `timeoutMs`. */
  waitFor(
    address: string,
    matches: (mail: MailMessage) => boolean,
    timeoutMs: number,
  ): Promise<MailMessage>;
}

/** Polls `reader.to(address)` until a message matches: waitFor for readers that can only list. */
export async function pollForMail(
  reader: Pick<MailReader, 'to' | 'description'>,
  address: string,
  matches: (mail: MailMessage) => boolean,
  timeoutMs: number,
): Promise<MailMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await reader.to(address);
    const found = messages.find(matches);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const seen = messages.map((mail) => `"${mail.subject}"`).join(', ') || 'none';
      throw new Error(
        `no matching mail to ${address} in ${reader.description} within ${timeoutMs} ms (to them: ${seen})`,
      );
    }
    await sleep(500);
  }
}

/** The local platform's SMTP sink as a MailReader. */
export function smtpSinkReader(sink: SmtpSink): MailReader {
  return {
    description: `the platform's SMTP sink (127.0.0.1:${sink.port})`,
    to: (address) => Promise.resolve(sink.to(address)),
    waitFor: (address, matches, timeoutMs) =>
      sink.waitFor((mail) => mail.to.includes(address.toLowerCase()) && matches(mail), timeoutMs),
  };
}
