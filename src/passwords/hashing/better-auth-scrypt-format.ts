import { checkForeign, type ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { sameKey, scryptKey } from './scrypt-key.ts';

/** Better Auth's default hasher: scrypt N=16384, r=16, p=1, a 64-byte key, over the NFKC form. */
const BETTER_AUTH = { n: 16384, r: 16, p: 1 } as const;
const KEY_BYTES = 64;
const SALT_KEY = /^([0-9a-f]{32}):([0-9a-f]{128})$/;

/**
 * Better Auth's `salt:key` (hex). Its salt is used as the hex text itself,
 * not the bytes it spells, and its parameters are fixed, so nothing in the
 * stored value can ask for more work.
 */
export class BetterAuthScryptFormat implements HashFormat {
  readonly name = 'better-auth-scrypt';
  readonly redactionPattern = /\b[0-9a-f]{32}:[0-9a-f]{128}\b/g;
  readonly #runner: ForeignRunner;

  constructor(runner: ForeignRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return SALT_KEY.test(stored);
  }

  refusal(): string | null {
    return null;
  }

  verify(password: string, stored: string, _hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    const [, salt = '', key = ''] = SALT_KEY.exec(stored) ?? [];
    const expected = Buffer.from(key, 'hex');
    return checkForeign({
      runner: this.#runner,
      password,
      priced,
      work: 'better-auth-scrypt',
      refusal: expected.length === KEY_BYTES ? null : 'unreadable',
      derives: async (candidate) => sameKey(await scryptKey(candidate.normalize('NFKC'), salt, KEY_BYTES, BETTER_AUTH), expected),
    });
  }

  needsRehash(): boolean {
    return true;
  }
}
