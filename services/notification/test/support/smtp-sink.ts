import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the sink accepted. */
export interface ReceivedMail {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/**
 * A REAL SMTP server (the npm `smtp-server`) on a free loopback port, that the test controls
 * and inspects: what it accepted, and which recipients it refuses for good (550).
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Recipients answered `550 mailbox unavailable` at RCPT TO. */
  readonly refused = new Set<string>();
  /** While true, every connection and every message is answered `421` ("down for now"). */
  unavailable = false;
  readonly #server: SMTPServer;
  #port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => {
        if (!this.unavailable) return callback();
        const error = Object.assign(new Error('try again later'), { responseCode: 421 });
        return callback(error);
      },
      // Pooled connections opened before the outage are refused here.
      onMailFrom: (_address, _session, callback) => {
        if (!this.unavailable) return callback();
        const error = Object.assign(new Error('try again later'), { responseCode: 421 });
        return callback(error);
      },
      onRcptTo: (address, _session, callback) => {
        if (!this.refused.has(address.address)) return callback();
        const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        return callback(error);
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
            this.received.push({
              messageId: mail.messageId ?? '',
              to: to?.value[0]?.address ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
            });
            callback();
          },
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }

  get port(): number {
    return this.#port;
  }

  /** Listens on 127.0.0.1 (port 0 = a free one). */
  async start(port = 0): Promise<void> {
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server.server, 'listening');
    this.#port = (this.#server.server.address() as AddressInfo).port;
  }

  /** The mails sent to `address`. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to === address);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
