import { deriveKey, gcmOpen, gcmSeal } from '../secrets/aes-gcm.ts';
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
    this.#key = deriveKey(secret, 'rekey signing keys v1');
  }

  seal(kid: string, plaintext: Buffer): string {
    const { iv, ciphertext, tag } = gcmSeal(this.#key, plaintext, Buffer.from(kid, 'utf8'));
    return [VERSION, ...[iv, ciphertext, tag].map((part) => part.toString('base64url'))].join('.');
  }

  open(kid: string, sealed: string): Buffer {
    const [version, iv, ciphertext, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !ciphertext || !tag) throw new KeyDecryptionError(kid);
    try {
      const parts = { iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
      return gcmOpen(this.#key, parts, Buffer.from(kid, 'utf8'));
    } catch {
      throw new KeyDecryptionError(kid);
    }
  }
}
