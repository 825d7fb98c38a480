// Mailpit's HTTP API (v1) as a MailReader: the cluster's SMTP sink, reached through its
// Ingress (mail.<host>) like a person opening its UI would.
import type { FetchLike } from '../../src/fetch-like.ts';
import { pollForMail } from './mail-reader.ts';
import type { MailMessage, MailReader } from './mail-reader.ts';

interface MailpitAddress {
  Address: string;
}

interface MailpitSummary {
  ID: string;
  To: MailpitAddress[] | null;
  Subject: string;
}

interface MailpitMessage extends MailpitSummary {
  Text: string;
}

/** A reader of the Mailpit at `baseUrl` (http://mail.shoal.localtest.me). */
export function mailpitReader(baseUrl: string, fetchImpl: FetchLike): MailReader {
  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetchImpl(`${baseUrl}${path}`, {
      headers: { accept: 'application/json' },
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`Mailpit ${baseUrl}${path}: ${response.status} ${text.slice(0, 200)}`);
    }
    return JSON.parse(text) as T;
  };
  const reader: MailReader = {
    description: `Mailpit at ${baseUrl}`,
    async to(address) {
      const query = encodeURIComponent(`to:"${address}"`);
      const found = await getJson<{ messages: MailpitSummary[] | null }>(
        `/api/v1/search?query=${query}&limit=100`,
      );
      const wanted = address.toLowerCase();
      const messages: MailMessage[] = [];
      for (const summary of found.messages ?? []) {
        const to = (summary.To ?? []).map((recipient) => recipient.Address.toLowerCase());
        // The search is a substring match: keep only exact recipients.
        if (!to.includes(wanted)) continue;
        const full = await getJson<MailpitMessage>(`/api/v1/message/${summary.ID}`);
        messages.push({ to, subject: full.Subject, text: full.Text });
      }
      return messages;
    },
    waitFor: (address, matches, timeoutMs) => pollForMail(reader, address, matches, timeoutMs),
  };
  return reader;
}
