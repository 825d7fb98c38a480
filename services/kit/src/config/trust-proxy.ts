import { isIP } from 'node:net';
import { z } from 'zod';

/** The address-range names Express' `trust proxy` knows. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What Express' `trust proxy` setting takes: off/on, a hop count, or trusted addresses. */
export type TrustProxySetting = boolean | number | string[];

/** Whether one list entry is a range name, an IP, `ip/prefix` or an IPv4 `ip/netmask`. */
function isTrustedAddressEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', mask, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (mask === undefined) return true;
  if (/^\d{1,3}$/.test(mask)) return Number(mask) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(mask) === 4;
}

/**
 * Turns a TRUST_PROXY text into Express' `trust proxy` value: `false`/unset = trust no proxy
 * (req.ip is the peer), `true` = trust every hop (only behind a proxy that overwrites
 * X-Forwarded-For), `2` = trust that many hops, else a comma-separated list of range names
 * (`loopback`, `linklocal`, `uniquelocal`), IPs and CIDRs. Throws on anything else.
 */
export function trustProxySetting(text: string | undefined): TrustProxySetting {
  const value = (text ?? 'false').trim();
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isTrustedAddressEntry(entry));
  if (bad !== undefined) throw new TypeError(`not a trusted proxy address or range: "${bad}"`);
  return entries;
}

/** TRUST_PROXY as a config variable: validated at start, kept as text (see trustProxySetting). */
export function envTrustProxy() {
  return z
    .string()
    .refine((text) => {
      try {
        trustProxySetting(text);
        return true;
      } catch {
        return false;
      }
    })
    .describe(
      'false, true, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, IPs and CIDRs',
    );
}
