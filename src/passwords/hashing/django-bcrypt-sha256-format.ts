import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { checkForeign, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { HASH_LIMITS } from './hash-limits.ts';

const STORED = /^bcrypt_sha256\$(\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53})$/;

/**
 * Django's `bcrypt_sha256$<bcrypt hash>`: bcrypt over the hex SHA-256 of the
 * password, so passwords past bcrypt's 72 bytes still count. Native bcrypt
 * and Node's SHA-256.
 */
export class DjangoBcryptSha256Format implements HashFormat {
  readonly name = 'django-bcrypt-sha256';
  readonly redactionPattern = /bcrypt_sha256\$\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}/g;
  readonly #runner: ForeignRunner;

  constructor(runner: ForeignRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return STORED.test(stored);
  }

  refusal(stored: string): string | null {
    const cost = Number(STORED.exec(stored)?.[2] ?? Number.NaN);
    return cost >= 4 && cost <= HASH_LIMITS.bcryptCost ? null : `bcrypt cost out of range (at most ${HASH_LIMITS.bcryptCost})`;
  }

  verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    const inner = STORED.exec(stored)?.[1] ?? '';
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: `bcrypt_sha256$${inner.slice(4, 6)}`,
      refusal: this.refusal(stored),
      derives: (candidate) => bcrypt.compare(createHash('sha256').update(candidate, 'utf8').digest('hex'), inner),
    });
  }

  needsRehash(): boolean {
    return true;
  }
}
