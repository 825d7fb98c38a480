import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

/** Decodes the key-encryption key from configuration: 32 bytes, base64 or base64url. */
export function parseKeyEncryptionKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `the key-encryption key must be ${KEY_BYTES} bytes in base64 (got ${key.length})`,
    );
  }
  return key;
}

/**
 * Encrypts signing keys' private parts at rest with AES-256-GCM. The key id is bound as
 * associated data, so a ciphertext copied onto another key's row does not decrypt.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
export class KeyEncryption {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
    this.#key = Buffer.from(key);
  }

  /** Encrypts `plaintext`, bound to `associatedData` (the key id). */
  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Decrypts what `encrypt` produced; throws when the key, data or ciphertext don't match. */
  decrypt(sealed: string, associatedData: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('encrypted private key is not in the v1.<iv>.<tag>.<ciphertext> form');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new Error(
        'cannot decrypt a signing key: the key-encryption key differs from the one it was sealed with',
        { cause: error },
      );
    }
  }
}
