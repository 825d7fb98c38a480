// Durations as people type them on the command line: `30s`, `2m`, `500ms`, `1h`, `1m30s`.
import { usageError } from '../errors/shoal-error.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration flag into milliseconds; anything else is a usage error naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw usageError(`${flag} ${text}: expected a duration like 30s, 2m, 500ms or 1m30s.`);
  }
  let total = 0;
  for (const [, amount, unit] of parts) total += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 1000);
  if (total <= 0) throw usageError(`${flag} ${text}: must be longer than zero.`);
  return Math.round(total);
}

/** Parses a whole number flag (`--replicas 3`); negative or fractional numbers are usage errors. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw usageError(`${flag} ${text}: expected a whole number (0, 1, 2, ...).`);
  }
  return Number(text.trim());
}
