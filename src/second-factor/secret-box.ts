import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
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
    this.#encryptionKey = Buffer.from(hkdfSync('sha256', key.bytes, Buffer.alloc(0), 'rekey totp secret encryption', 32));
    this.#hashKey = Buffer.from(hkdfSync('sha256', key.bytes, Buffer.alloc(0), 'rekey recovery code hashing', 32));
  }

  seal(plaintext: string, userId: number): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, iv);
    cipher.setAAD(Buffer.from(`user:${userId}`));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** Throws when the sealed text was altered, belongs to another account or was sealed under another key. */
  open(sealed: string, userId: number): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('Unreadable sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`user:${userId}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
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
