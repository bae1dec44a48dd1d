import bcrypt from 'bcrypt';
import { MAX_PASSWORD_BYTES, normalizePassword } from '../password-policy.ts';

/**
 * Whether bcrypt would treat two passwords as one: it reads only the first
 * 72 bytes of UTF-8, so a verified current password with junk appended past
 * byte 72 is still the same password.
 */
export function sameForBcrypt(a: string, b: string): boolean {
  const bytes = (password: string) => Buffer.from(normalizePassword(password), 'utf8').subarray(0, MAX_PASSWORD_BYTES);
  return bytes(a).equals(bytes(b));
}

/** `unnormalized-match`: the hash was made elsewhere from the password before NFC normalisation. */
export type PasswordMatch = 'match' | 'unnormalized-match' | 'mismatch';

/** Told how long each bcrypt operation took, in seconds (the metrics hook; the domain knows no metrics library). */
export type BcryptObserver = (op: 'hash' | 'compare', seconds: number) => void;

/**
 * bcrypt, always through the native asynchronous API so hashing runs on the
 * libuv pool and never blocks the event loop.
 */
export class PasswordHasher {
  readonly cost: number;
  /** bcrypt operations run so far (the decoy hash included): for metrics, tests and benchmarks. */
  readonly operations = { hashes: 0, compares: 0 };
  observer: BcryptObserver | undefined;
  /** One decoy hash per cost, made on first use. */
  readonly #decoys = new Map<number, Promise<string>>();

  constructor(cost: number) {
    this.cost = cost;
  }

  hash(password: string): Promise<string> {
    this.operations.hashes += 1;
    return this.#timed('hash', () => bcrypt.hash(normalizePassword(password), this.cost));
  }

  #compare(password: string, hash: string): Promise<boolean> {
    this.operations.compares += 1;
    return this.#timed('compare', () => bcrypt.compare(password, hash));
  }

  #timed<T>(op: 'hash' | 'compare', work: () => Promise<T>): Promise<T> {
    const observer = this.observer;
    if (!observer) return work();
    const started = performance.now();
    return work().finally(() => observer(op, (performance.now() - started) / 1000));
  }

  /**
   * Checks a password against a stored hash. `$2y$` (PHP) is the same
   * algorithm as `$2b$`, which native bcrypt does not parse. A hash made
   * elsewhere (`hashOfNormalized` false) from un-normalised input still
   * verifies: the raw form is tried when it differs from NFC. A hash Rekey
   * wrote is of the NFC form, so a wrong password costs one compare.
   */
  async verify(password: string, hash: string, hashOfNormalized = false): Promise<PasswordMatch> {
    const stored = hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
    const normalized = normalizePassword(password);
    if (await this.#compare(normalized, stored)) return 'match';
    if (!hashOfNormalized && normalized !== password && (await this.#compare(password, stored))) return 'unnormalized-match';
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
    let rounds: number;
    try {
      rounds = bcrypt.getRounds(hash);
    } catch {
      return;
    }
    for (let cost = rounds; cost < this.cost; cost += 1) await this.#compare(password, await this.decoyHash(cost));
  }

  /**
   * Spends the same bcrypt work as a real check, for an email that has no
   * account, so response time does not tell whether an email is registered.
   */
  async verifyDecoy(password: string): Promise<void> {
    // As for a hash Rekey wrote: one compare, whatever the password's form.
    await this.verify(password, await this.decoyHash(), true);
  }

  /** Starts computing the decoy hash of a cost (once) so the first unknown email is not faster or slower. */
  decoyHash(cost = this.cost): Promise<string> {
    let decoy = this.#decoys.get(cost);
    if (decoy === undefined) {
      this.operations.hashes += 1;
      decoy = bcrypt.hash(`decoy-${Math.random()}`, cost);
      this.#decoys.set(cost, decoy);
    }
    return decoy;
  }

  /**
   * After a successful check: should the hash be replaced (lower cost, made
   * from un-normalised input, or not yet known to be Rekey's)? A rehash marks
   * the hash as Rekey's, so later wrong passwords cost one compare.
   */
  needsRehash(hash: string, match: PasswordMatch, hashOfNormalized = true): boolean {
    if (match === 'unnormalized-match' || !hashOfNormalized) return true;
    try {
      return bcrypt.getRounds(hash) < this.cost;
    } catch {
      return true;
    }
  }
}
