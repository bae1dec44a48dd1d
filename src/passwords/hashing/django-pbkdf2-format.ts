import { pbkdf2 } from 'node:crypto';
import { checkForeign, decodeBase64, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { HASH_LIMITS } from './hash-limits.ts';
import { sameKey } from './scrypt-key.ts';

const STORED = /^pbkdf2_sha256\$(\d{1,10})\$([^$\s]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 key>`: PBKDF2-HMAC-SHA256 over the salt's text, a 32-byte key (Node's crypto). */
export class DjangoPbkdf2Format implements HashFormat {
  readonly name = 'django-pbkdf2-sha256';
  readonly redactionPattern = /pbkdf2_sha256\$\d+\$[^\s"'`]+/g;
  readonly #runner: ForeignRunner;

  constructor(runner: ForeignRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return STORED.test(stored);
  }

  refusal(stored: string): string | null {
    const iterations = Number(STORED.exec(stored)?.[1] ?? Number.NaN);
    if (!(iterations >= 1 && iterations <= HASH_LIMITS.pbkdf2Iterations)) {
      return `PBKDF2 iterations out of range (at most ${HASH_LIMITS.pbkdf2Iterations})`;
    }
    return null;
  }

  verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    const [, iterationText = '0', salt = '', keyText = ''] = STORED.exec(stored) ?? [];
    const expected = decodeBase64(keyText) ?? Buffer.alloc(0);
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: `pbkdf2_sha256$${iterationText}`,
      refusal: this.refusal(stored),
      derives: (candidate) =>
        new Promise((resolve, reject) => {
          pbkdf2(candidate, salt, Number(iterationText), 32, 'sha256', (error, key) => (error ? reject(error) : resolve(sameKey(key, expected))));
        }),
    });
  }

  needsRehash(): boolean {
    return true;
  }
}
