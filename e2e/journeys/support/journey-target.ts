// What the user journey runs against: the gateway's URL and everything a person on that
// platform could look at (the admin account, the webhook secrets, the mail, the traces, the
// reports as they were). The local platform (startPlatform) and the kind cluster are targets.
import type { TraceReader } from '../../src/tracing/jaeger-query.ts';
import type { GatewayClient } from './gateway-client.ts';
import type { MailReader } from './mail-reader.ts';

/** A part a target does not have, and why: the journey's steps that need it are pending. */
export class Missing {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/** Report counts: events per type, and the summary's totals. Absent = 0. */
export interface ReportCounts {
  readonly types: Readonly<Record<string, number>>;
  readonly totals: Readonly<Record<string, number>>;
}

/** A platform the journey can walk through. */
export interface JourneyTarget {
  /** "the local platform (gateway http://127.0.0.1:41234)", "the kind cluster shoal (...)". */
  readonly description: string;
  /** The gateway, the only way in. */
  readonly api: GatewayClient;
  /** The services the gateway routes to. */
  readonly services: readonly string[];
  /** The first admin account. */
  readonly admin: { readonly email: string; readonly password: string };
  /** The event hub's HMAC secret per webhook source (what a partner signs with). */
  readonly webhookSecrets: Readonly<Record<string, string>>;
  /** The mail the notification service sent. */
  readonly mail: MailReader | Missing;
  /** The traces the services exported. */
  readonly traces: TraceReader | Missing;
  /**
   * What the reports counted before the journey began, which its own effects are measured
   * against: known for a platform with fresh data, read from the reports on a shared one.
   */
  reportsBefore(adminToken: string): Promise<ReportCounts>;
  /** Releases what the target holds (the local platform stops; the cluster stays). */
  stop(): Promise<void>;
}
