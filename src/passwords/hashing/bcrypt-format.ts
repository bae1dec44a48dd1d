import bcrypt from 'bcrypt';
import { MAX_PASSWORD_BYTES, normalizePassword } from '../password-policy.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';

/**
 * Whether bcrypt would treat two passwords as one: it reads only the first
 * 72 bytes of UTF-8, so a verified current password with junk appended past
 * byte 72 is still the same password.
 */
export function sameForBcrypt(a: string, b: string): boolean {
  const bytes = (password: string) => Buffer.from(normalizePassword(password), 'utf8').subarray(0, MAX_PASSWORD_BYTES);
  return bytes(a).equals(bytes(b));
}

/** How the format's operations are counted and timed (PasswordHasher's metrics hook). */
export interface BcryptRunner {
  /** The configured cost of new hashes and of the decoy. */
  readonly cost: number;
  compare(password: string, hash: string): Promise<boolean>;
  decoyHash(cost?: number): Promise<string>;
}

const BCRYPT_HASH = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * bcrypt (`$2a$`, `$2b$`, `$2y$`), always through the native asynchronous
 * API so hashing runs on the libuv pool and never blocks the event loop.
 */
export class BcryptFormat implements HashFormat {
  readonly name = 'bcrypt';
  readonly redactionPattern = /\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g;
  readonly #runner: BcryptRunner;

  constructor(runner: BcryptRunner) {
    this.#runner = runner;
  }

  reads(stored: string): boolean {
    return BCRYPT_HASH.test(stored);
  }

  /**
   * `$2y$` (PHP) is the same algorithm as `$2b$`, which native bcrypt does
   * not parse. A hash Rekey wrote is of the NFC form, so a wrong password
   * costs one compare; one made elsewhere is tried in the raw form too.
   */
  async verify(password: string, hash: string, hashOfNormalized: boolean): Promise<PasswordMatch> {
    const stored = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
    const normalized = normalizePassword(password);
    if (await this.#runner.compare(normalized, stored)) return 'match';
    if (!hashOfNormalized && normalized !== password && (await this.#runner.compare(password, stored))) return 'unnormalized-match';
    await this.#padToCost(stored, normalized);
    return 'mismatch';
  }

  /**
   * After a mismatch on a hash of a lower cost c than the configured cost C:
   * bcrypt's time doubles with each cost, so compares against decoys of costs
   * c, c+1, …, C-1 add 2^c + … + 2^(C-1) = 2^C - 2^c, and the check as a
   * whole costs what one at C does. So a wrong password on an adopted cheaper
   * hash answers as slowly as on any other account, or an unknown email.
   */
  async #padToCost(hash: string, password: string): Promise<void> {
    const rounds = roundsOf(hash);
    if (rounds === null) return;
    for (let cost = rounds; cost < this.#runner.cost; cost += 1) await this.#runner.compare(password, await this.#runner.decoyHash(cost));
  }

  /**
   * Lower cost, made from un-normalised input, or not yet known to be
   * Rekey's: a rehash marks the hash as Rekey's, so later wrong passwords
   * cost one compare.
   */
  needsRehash(hash: string, match: PasswordMatch, hashOfNormalized: boolean): boolean {
    if (match === 'unnormalized-match' || !hashOfNormalized) return true;
    const rounds = roundsOf(hash);
    return rounds === null || rounds < this.#runner.cost;
  }
}

function roundsOf(hash: string): number | null {
  try {
    return bcrypt.getRounds(hash);
  } catch {
    return null;
  }
}
