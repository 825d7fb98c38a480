// Every secret a suite handles (passwords it chose, tokens it was given, keys it read), kept so
// the last check can prove none of them was written to any log of the run.

/** What kind of secret, for the failure message (the value itself is never printed). */
export type SecretKind =
  'password' | 'access token' | 'refresh token' | 'client secret' | 'key' | 'platform secret';

/** A list of secrets with what they are. */
export class SecretLedger {
  readonly #entries = new Map<string, SecretKind>();

  /** Remembers `value` (ignored when shorter than 12 characters: too likely to occur by chance). */
  add(kind: SecretKind, value: string | undefined): void {
    if (value !== undefined && value.length >= 12) this.#entries.set(value, kind);
  }

  /** The secrets, with their kinds. */
  entries(): [string, SecretKind][] {
    return [...this.#entries];
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The fragments of a secret worth searching for: the value, and for a JWT also its signature
 * (a log that cut the token at a dot, or logged only the part after "Bearer ", still leaks it).
 */
export function searchableFragments(value: string): string[] {
  // A PEM key: each 64-character line of its body (a log may hold it with escaped newlines).
  if (value.includes('-----BEGIN')) {
    return value.split('\n').filter((line) => line.length >= 32 && !line.startsWith('-----'));
  }
  const parts = value.split('.');
  const signature = parts.length === 3 ? parts[2] : undefined;
  return signature !== undefined && signature.length >= 16 ? [value, signature] : [value];
}
