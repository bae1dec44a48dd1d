import { createCipheriv } from 'node:crypto';
import type { Secret } from '../../secrets/secret.ts';
import { checkForeign, decodeBase64, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { sameKey, scryptKey } from './scrypt-key.ts';

/** A Firebase project's password hash parameters (Authentication → Users → Password hash parameters). */
export interface FirebaseScryptParameters {
  signerKey: Secret;
  saltSeparator: Buffer;
  /** scrypt's r (Firebase: 1–8). */
  rounds: number;
  /** log2 of scrypt's N (Firebase: 1–14). */
  memCost: number;
}

const STORED = /^\$firebase-scrypt\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** How an exported Firebase user's salt and hash (both base64) are stored here. */
export function firebaseStoredHash(saltBase64: string, hashBase64: string): string {
  return `$firebase-scrypt$${saltBase64}$${hashBase64}`;
}

/**
 * Firebase's modified scrypt: scrypt(password, salt ‖ separator, N=2^memCost,
 * r=rounds, p=1) keys AES-256-CTR (zero IV), which encrypts the project's
 * signer key; the result is the stored hash. Node's scrypt and AES; the
 * parameters are the project's, from configuration, so a stored value asks
 * for nothing.
 */
export class FirebaseScryptFormat implements HashFormat {
  readonly name = 'firebase-scrypt';
  readonly redactionPattern = /\$firebase-scrypt\$[^\s"'`]+/g;
  readonly #runner: ForeignRunner;
  readonly #parameters: FirebaseScryptParameters;

  constructor(runner: ForeignRunner, parameters: FirebaseScryptParameters) {
    this.#runner = runner;
    this.#parameters = parameters;
  }

  reads(stored: string): boolean {
    return STORED.test(stored);
  }

  refusal(): string | null {
    return null;
  }

  verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    const [, saltText = '', hashText = ''] = STORED.exec(stored) ?? [];
    const salt = decodeBase64(saltText) ?? Buffer.alloc(0);
    const expected = decodeBase64(hashText) ?? Buffer.alloc(0);
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: 'firebase-scrypt',
      refusal: salt.length > 0 && expected.length > 0 ? null : 'unreadable',
      derives: async (candidate) => sameKey(await this.hash(candidate, salt), expected),
    });
  }

  /** The hash Firebase stores for `password` and a user's `salt`. */
  async hash(password: string, salt: Buffer): Promise<Buffer> {
    const { signerKey, saltSeparator, rounds, memCost } = this.#parameters;
    const derived = await scryptKey(password, Buffer.concat([salt, saltSeparator]), 32, { n: 2 ** memCost, r: rounds, p: 1 });
    const cipher = createCipheriv('aes-256-ctr', derived, Buffer.alloc(16, 0));
    return Buffer.concat([cipher.update(signerKey.bytes), cipher.final()]);
  }

  needsRehash(): boolean {
    return true;
  }
}
