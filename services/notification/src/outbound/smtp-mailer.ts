import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { MailRejectedError } from '../domain/errors.ts';
import type { Mailer, OutgoingMail } from '../domain/ports.ts';

export interface SmtpMailerOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise plain with STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  readonly timeoutMs: number;
  /** Connections kept open and used at once. */
  readonly poolSize: number;
}

/** The SMTP reply code of a nodemailer error, when the server answered one. */
function responseCodeOf(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Sends email over SMTP with nodemailer (pooled connections). A 5xx answer is a refusal for
 * good (MailRejectedError); anything else (4xx, refused connection, timeout) may pass later.
 */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailerOptions) {
    this.#from = options.from;
    this.#transport = nodemailer.createTransport({
      pool: true,
      maxConnections: options.poolSize,
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.user === undefined
        ? {}
        : { auth: { user: options.user, pass: options.password ?? '' } }),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
      });
    } catch (error) {
      const code = responseCodeOf(error);
      if (code !== undefined && code >= 500 && code < 600) {
        throw new MailRejectedError((error as Error).message, code);
      }
      throw error;
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.#transport.close();
  }
}
