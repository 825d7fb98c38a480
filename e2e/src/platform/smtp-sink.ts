// A real SMTP server on loopback that keeps every message it accepts: the notification
// service's mail goes here locally (in the cluster: Mailpit), and tests read what arrived.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One accepted message, parsed. */
export interface ReceivedMail {
  /** The SMTP envelope recipients (RCPT TO). */
  readonly to: readonly string[];
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly messageId: string | undefined;
  readonly headers: ReadonlyMap<string, unknown>;
  readonly receivedAt: Date;
}

/** A running sink; `messages` grows as mail arrives. */
export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly messages: readonly ReceivedMail[];
  /** Resolves with the first message matching `predicate` (waiting up to `timeoutMs`). */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Messages to `address` (envelope recipient, case-insensitive). */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1:`port` (0 = any free port), no auth, no TLS. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId,
            headers: parsed.headers,
            receivedAt: new Date(),
          });
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    },
  });
  // A sender killed mid-session (the reliability suite's kill -9) resets its connection;
  // smtp-server reports that as an 'error' event, which must not crash the test process.
  server.on('error', () => undefined);
  server.listen(port, '127.0.0.1');
  await once(server.server, 'listening');
  const bound = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port: bound,
    messages,
    to: (address) => messages.filter((mail) => mail.to.includes(address.toLowerCase())),
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching mail within ${timeoutMs} ms (${messages.length} received: ${messages
              .map((mail) => `${mail.to.join(',')} "${mail.subject}"`)
              .join('; ')})`,
          );
        }
        await sleep(100);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
