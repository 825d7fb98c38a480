import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InvalidClientError, InvalidScopeError } from './errors.ts';

/** One service allowed to get tokens through the client-credentials grant. */
export interface ClientDefinition {
  readonly client_id: string;
  readonly client_secret: string;
  /** The scopes it may ask for; a request without `scope` gets all of them. */
  readonly scopes: readonly string[];
}

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token characters

/** The shape of AUTH_CLIENTS (JSON), which comes from a Kubernetes Secret in the cluster. */
export const clientDefinitionsSchema = z.array(
  z.strictObject({
    client_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    client_secret: z.string().min(16, 'client_secret must be at least 16 characters'),
    scopes: z.array(z.string().regex(SCOPE)).max(64),
  }),
);

/** Parses AUTH_CLIENTS; throws one readable line naming the first problem. */
export function parseClientDefinitions(text: string): ClientDefinition[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('AUTH_CLIENTS is not valid JSON');
  }
  const result = clientDefinitionsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`AUTH_CLIENTS[${issue?.path.join('.') ?? ''}]: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The clients known from configuration. Secrets are compared as SHA-256 digests with a
 * constant-time comparison, and an unknown client costs the same as a wrong secret.
 */
export class ClientRegistry {
  readonly #clients: Map<string, { secretDigest: Buffer; scopes: readonly string[] }>;
  readonly #dummyDigest = digest('no such client');

  constructor(clients: readonly ClientDefinition[]) {
    this.#clients = new Map();
    for (const client of clients) {
      if (this.#clients.has(client.client_id)) {
        throw new Error(`AUTH_CLIENTS names client "${client.client_id}" twice`);
      }
      this.#clients.set(client.client_id, {
        secretDigest: digest(client.client_secret),
        scopes: [...new Set(client.scopes)],
      });
    }
  }

  /**
   * Checks the client's secret and returns the scopes to grant: the requested ones (space
   * separated) or, when none are requested, all it is allowed. Throws InvalidClientError or
   * InvalidScopeError.
   */
  grant(clientId: string, clientSecret: string, requestedScope: string | undefined): string[] {
    const client = this.#clients.get(clientId);
    const matches = timingSafeEqual(
      digest(clientSecret),
      client?.secretDigest ?? this.#dummyDigest,
    );
    if (client === undefined || !matches) throw new InvalidClientError();
    const requested = (requestedScope ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) return [...client.scopes];
    const refused = requested.filter((scope) => !client.scopes.includes(scope));
    if (refused.length > 0) throw new InvalidScopeError(refused);
    return [...new Set(requested)];
  }
}
