import { createHmac } from 'node:crypto';
import { deriveKey, gcmOpen, gcmSeal } from '../secrets/aes-gcm.ts';
import type { Secret } from '../secrets/secret.ts';

const VERSION = 'v1';

/**
 * Authenticated encryption of TOTP secrets at rest (AES-256-GCM, a random
 * 96-bit IV per secret) and the keyed hash of recovery codes, both under keys
 * derived (HKDF-SHA-256) from TOTP_ENCRYPTION_KEY. A database dump alone
 * yields neither the secrets nor a way to test recovery-code guesses.
 * The account id is bound in as associated data, so a ciphertext copied to
 * another account's row does not decrypt.
 */
export class SecretBox {
  readonly #encryptionKey: Buffer;
  readonly #hashKey: Buffer;

  constructor(key: Secret) {
    this.#encryptionKey = deriveKey(key, 'rekey totp secret encryption');
    this.#hashKey = deriveKey(key, 'rekey recovery code hashing');
  }

  seal(plaintext: string, userId: number): string {
    const { iv, ciphertext, tag } = gcmSeal(this.#encryptionKey, Buffer.from(plaintext, 'utf8'), Buffer.from(`user:${userId}`));
    return [VERSION, ...[iv, tag, ciphertext].map((part) => part.toString('base64url'))].join('.');
  }

  /** Throws when the sealed text was altered, belongs to another account or was sealed under another key. */
  open(sealed: string, userId: number): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('Unreadable sealed secret');
    const parts = { iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
    try {
      return gcmOpen(this.#encryptionKey, parts, Buffer.from(`user:${userId}`)).toString('utf8');
    } catch (error) {
      // The operator's clue in the log; the client sees an unexpected error, never which key or account.
      throw new Error('A TOTP secret cannot be decrypted: TOTP_ENCRYPTION_KEY (or the SERVER_SECRET it derives from) is not the one it was sealed with', {
        cause: error,
      });
    }
  }

  /** Keyed, so recovery codes (about 50 bits each) cannot be guessed offline from a dump. */
  hash(text: string): string {
    return createHmac('sha256', this.#hashKey).update(text, 'utf8').digest('hex');
  }
}
