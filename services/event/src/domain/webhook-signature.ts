import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Webhook sources are short lowercase names; they become part of event types. */
export const WEBHOOK_SOURCE = /^[a-z][a-z0-9-]{0,31}$/;

/** Parses WEBHOOK_SECRETS (`{"<source>": "<secret>"}`); throws an Error naming what is wrong. */
export function parseWebhookSecrets(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('WEBHOOK_SECRETS must be JSON');
  }
  const parsed = z
    .record(
      z.string().regex(WEBHOOK_SOURCE, 'source names are lowercase words'),
      z.string().min(16, 'secrets must be at least 16 characters'),
    )
    .safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `WEBHOOK_SECRETS ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Why a webhook signature was refused (all are 401 to the sender). */
export class WebhookSignatureError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WebhookSignatureError';
  }
}

/** `t=<unix>,v1=<hex>`: the signed timestamp and one or more candidate signatures. */
function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Several v1 values let a sender sign with an old and a new secret while rotating.
    if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new WebhookSignatureError('X-Shoal-Signature must be "t=<unix seconds>,v1=<hex sha256>"');
  }
  return { timestamp, signatures };
}

/** The hex HMAC-SHA256 of `<timestamp>.<raw body>` with `secret`: what a sender puts in v1. */
export function webhookSignature(secret: string, timestamp: number, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * Checks `X-Shoal-Signature` over the exact bytes received. The timestamp is signed too, so
 * an old request cannot be replayed with a fresh timestamp; outside `toleranceSec` it is
 * refused. Comparison is constant-time.
 */
export function verifyWebhookSignature(options: {
  header: string | undefined;
  secret: string;
  rawBody: Buffer;
  toleranceSec: number;
  nowMs?: number;
}): void {
  if (options.header === undefined || options.header === '') {
    throw new WebhookSignatureError('missing X-Shoal-Signature');
  }
  const { timestamp, signatures } = parseSignatureHeader(options.header);
  const nowSec = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSec - timestamp) > options.toleranceSec) {
    throw new WebhookSignatureError('signature timestamp outside the tolerated window');
  }
  const expected = Buffer.from(webhookSignature(options.secret, timestamp, options.rawBody), 'hex');
  const valid = signatures.some((candidate) =>
    timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  if (!valid) throw new WebhookSignatureError('signature does not match');
}
