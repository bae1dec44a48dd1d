import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Secret } from '../secrets/secret.ts';

const VERSION = 'v1';

/** A stored private key that this server's secret does not open (another SERVER_SECRET, or altered). */
export class KeyDecryptionError extends Error {
  constructor(kid: string) {
    super(`The signing key ${kid} cannot be decrypted: is SERVER_SECRET the one it was made with?`);
    this.name = 'KeyDecryptionError';
  }
}

/**
 * AES-256-GCM for private signing keys at rest, with a key derived from the
 * server secret (HKDF, its own label) and the key id as associated data, so
 * a sealed key cannot be swapped onto another row. Stored as
 * `v1.<iv>.<ciphertext>.<tag>` (base64url).
 */
export class KeyEncryption {
  readonly #key: Buffer;

  constructor(secret: Secret) {
    this.#key = Buffer.from(hkdfSync('sha256', secret.bytes, Buffer.alloc(0), 'rekey signing keys v1', 32));
  }

  seal(kid: string, plaintext: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  open(kid: string, sealed: string): Buffer {
    const [version, iv, ciphertext, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !ciphertext || !tag) throw new KeyDecryptionError(kid);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    } catch {
      throw new KeyDecryptionError(kid);
    }
  }
}
