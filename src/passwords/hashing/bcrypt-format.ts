import bcrypt from 'bcrypt';
import { MAX_PASSWORD_BYTES, normalizePassword } from '../password-policy.ts';
import { workOfCost } from './bcrypt-pace.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { HASH_LIMITS } from './hash-limits.ts';

export { workOfCost } from './bcrypt-pace.ts';

/**
 * Whether bcrypt would treat two passwords as one: it reads only the first
 * 72 bytes of UTF-8, so a verified current password with junk appended past
 * byte 72 is still the same password.
 */
export function sameForBcrypt(a: string, b: string): boolean {
  const bytes = (password: string) => Buffer.from(normalizePassword(password), 'utf8').subarray(0, MAX_PASSWORD_BYTES);
  return bytes(a).equals(bytes(b));
}


/** What the format runs through PasswordHasher: counted and timed compares, and the padding of mismatches. */
export interface BcryptRunner {
  /** The configured cost of new hashes and of the decoy. */
  readonly cost: number;
  compare(password: string, hash: string): Promise<boolean>;
  /** A stored hash was read: the slowest wrong password may now be slower (docs/design/timing-parity.md). */
  noteStoredHash(cost: number, hashOfNormalized: boolean): void;
  /** After a mismatch that spent `spent` (workOfCost units): compares against decoys up to the slowest wrong password's work; resolves to the work they ran. */
  padMismatch(password: string, spent: number): Promise<number>;
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
   * costs one compare; one made elsewhere is tried in the raw form too. A
   * mismatch is then padded to what the slowest wrong password costs
   * (docs/design/timing-parity.md).
   */
  async verify(password: string, hash: string, hashOfNormalized: boolean, { priced } = { priced: true }): Promise<PasswordMatch> {
    if (this.refusal(hash) !== null) {
      if (priced) await this.#runner.padMismatch(password, 0);
      return 'mismatch';
    }
    const stored = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
    const rounds = roundsOf(stored) ?? this.#runner.cost;
    if (priced) this.#runner.noteStoredHash(rounds, hashOfNormalized);
    const normalized = normalizePassword(password);
    if (await this.#runner.compare(normalized, stored)) return 'match';
    let spent = workOfCost(rounds);
    if (!hashOfNormalized && normalized !== password) {
      if (await this.#runner.compare(password, stored)) return 'unnormalized-match';
      spent += workOfCost(rounds);
    }
    if (priced) await this.#runner.padMismatch(password, spent);
    return 'mismatch';
  }

  refusal(stored: string): string | null {
    const cost = Number(stored.slice(4, 6));
    return cost >= 4 && cost <= HASH_LIMITS.bcryptCost ? null : `bcrypt cost out of range (at most ${HASH_LIMITS.bcryptCost})`;
  }

  /**
   * Another cost than the configured one (lower or higher: a costlier
   * adopted hash makes every wrong password pay for it, see
   * docs/design/timing-parity.md), made from un-normalised input, or not yet
   * known to be Rekey's: a rehash marks the hash as Rekey's, so later wrong
   * passwords cost one compare.
   */
  needsRehash(hash: string, match: PasswordMatch, hashOfNormalized: boolean): boolean {
    if (match === 'unnormalized-match' || !hashOfNormalized) return true;
    return roundsOf(hash) !== this.#runner.cost;
  }
}

function roundsOf(hash: string): number | null {
  try {
    return bcrypt.getRounds(hash);
  } catch {
    return null;
  }
}
