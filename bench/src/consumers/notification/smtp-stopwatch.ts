import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (npm `smtp-server`) on a free loopback port that accepts everything and
 * notes, per Message-ID, when it answered 250 to the DATA (the "SMTP accept").
 */
export class SmtpStopwatch {
  /** performance.now() of each accept, by Message-ID (`<...>`). */
  readonly acceptedAt = new Map<string, number>();
  /** Messages accepted, duplicates included. */
  accepted = 0;
  readonly #server: SMTPServer;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // Many pooled connections from one client: no per-connection pacing.
      maxClients: 1000,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (chunk: Buffer) => {
          if (head.length < 8192) head += chunk.toString('latin1');
        });
        stream.on('end', () => {
          const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1];
          this.accepted += 1;
          if (messageId !== undefined && !this.acceptedAt.has(messageId)) {
            this.acceptedAt.set(messageId, performance.now());
          }
          callback();
        });
      },
    });
  }

  /** Listens on 127.0.0.1; returns the port. */
  async start(): Promise<number> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server.server, 'listening');
    return (this.#server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
