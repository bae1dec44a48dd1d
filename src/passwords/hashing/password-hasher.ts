import bcrypt from 'bcrypt';
import { normalizePassword } from '../password-policy.ts';
import { Argon2Format } from './argon2-format.ts';
import { BcryptFormat, type BcryptRunner } from './bcrypt-format.ts';
import { BcryptPace, DerivationTimes, workOfCost } from './bcrypt-pace.ts';
import { BetterAuthScryptFormat } from './better-auth-scrypt-format.ts';
import { DjangoBcryptSha256Format } from './django-bcrypt-sha256-format.ts';
import { DjangoPbkdf2Format } from './django-pbkdf2-format.ts';
import { FirebaseScryptFormat, type FirebaseScryptParameters } from './firebase-scrypt-format.ts';
import type { ForeignRunner } from './foreign-check.ts';
import type { HashFormat, PasswordMatch } from './hash-format.ts';
import { HASH_LIMITS } from './hash-limits.ts';
import { ScryptFormat } from './scrypt-format.ts';

export type { PasswordMatch } from './hash-format.ts';

/**
 * The slowest stored hash a wrong password can meet: the highest bcrypt cost
 * among them, and whether any may be of an un-normalised password (a wrong
 * password then costs two compares on it when it is not NFC).
 */
export interface SlowestStoredHash {
  cost: number;
  unnormalized: boolean;
}

/** Told how long each bcrypt operation took, in seconds (the metrics hook; the domain knows no metrics library). */
export type BcryptObserver = (op: 'hash' | 'compare', seconds: number) => void;

/**
 * The one comparator: new hashes are bcrypt at the configured cost; a stored
 * hash is verified by the format that reads it (hash-format.ts). A stored
 * value no format reads never matches, and costs what a wrong password does.
 */
export class PasswordHasher implements BcryptRunner, ForeignRunner {
  readonly cost: number;
  /** bcrypt operations run so far (the decoy hash included): for metrics, tests and benchmarks. */
  readonly operations = { hashes: 0, compares: 0 };
  observer: BcryptObserver | undefined;
  /** Every format a stored hash may have, bcrypt first. */
  readonly formats: readonly HashFormat[];
  readonly #bcrypt: BcryptFormat;
  /** One decoy hash per cost, made on first use. */
  readonly #decoys = new Map<number, Promise<string>>();
  /** Only ever raised: by the database's answer at start (noteStoredHashes) and by each hash read. */
  readonly #slowest: SlowestStoredHash;
  /** How long bcrypt work takes here, to price checks of other formats in it. */
  readonly #pace: BcryptPace;
  /** The run times of each kind of derivation of other formats. */
  readonly #foreignWork = new DerivationTimes();
  /** The costliest other format's derivation seen twice, with a quarter for its spread, in bcrypt work (padForeignMismatch). */
  #foreignPrice = 0;

  /** `firebase`: the Firebase project's hash parameters, when its exported hashes are to be verified. */
  constructor(cost: number, { firebase = null }: { firebase?: FirebaseScryptParameters | null } = {}) {
    this.cost = cost;
    this.#slowest = { cost, unnormalized: false };
    this.#pace = new BcryptPace(cost);
    this.#bcrypt = new BcryptFormat(this);
    this.formats = [
      this.#bcrypt,
      new Argon2Format(this),
      new ScryptFormat(this),
      new BetterAuthScryptFormat(this),
      new DjangoPbkdf2Format(this),
      new DjangoBcryptSha256Format(this),
      ...(firebase ? [new FirebaseScryptFormat(this, firebase)] : []),
    ];
  }

  hash(password: string): Promise<string> {
    this.operations.hashes += 1;
    return this.#timed('hash', this.cost, () => bcrypt.hash(normalizePassword(password), this.cost));
  }

  compare(password: string, hash: string): Promise<boolean> {
    this.operations.compares += 1;
    return this.#timed('compare', Number(hash.slice(4, 6)), () => bcrypt.compare(password, hash));
  }

  #timed<T>(op: 'hash' | 'compare', cost: number, work: () => Promise<T>): Promise<T> {
    const observer = this.observer;
    const started = performance.now();
    return work().finally(() => {
      const milliseconds = performance.now() - started;
      this.#pace.note(cost, milliseconds);
      observer?.(op, milliseconds / 1000);
    });
  }

  /**
   * Checks a password against a stored hash. A hash made elsewhere
   * (`hashOfNormalized` false) from un-normalised input still verifies.
   */
  async verify(password: string, hash: string, hashOfNormalized = false): Promise<PasswordMatch> {
    const format = this.#formatOf(hash);
    if (format === null) {
      await this.verifyDecoy(password);
      return 'mismatch';
    }
    return format.verify(password, hash, hashOfNormalized);
  }

  /**
   * Whether `password` is the one of a former hash (password history). Not
   * an account's current hash: it does not price wrong passwords, and a
   * mismatch is not padded, since the account is known to whoever asks.
   */
  async matchesFormer(password: string, hash: string): Promise<boolean> {
    const format = this.#formatOf(hash);
    return format !== null && (await format.verify(password, hash, false, { priced: false })) !== 'mismatch';
  }

  /**
   * Spends the same bcrypt work as a wrong password on the slowest stored
   * hash, for an email that has no account, so response time does not tell
   * whether an email is registered (docs/design/timing-parity.md).
   */
  async verifyDecoy(password: string): Promise<void> {
    await this.compare(normalizePassword(password), await this.decoyHash());
    await this.padMismatch(password, workOfCost(this.cost));
  }

  /** What the stored hashes are like, read from the database at start (UserRepository.slowestStoredHash). */
  noteStoredHashes(slowest: SlowestStoredHash): void {
    this.noteStoredHash(slowest.cost, !slowest.unnormalized);
  }

  /** Starts every decoy a padded mismatch may need, so no sign-in is the one that pays for making it. */
  prepareDecoys(): void {
    // Lower costs, for padding adopted cheaper hashes, are cheap to make on first use.
    const highest = Math.min(Math.ceil(Math.log2(this.#price())) + 4 + (this.#slowest.unnormalized ? 1 : 0), 31);
    for (let cost = this.cost; cost <= highest; cost += 1) void this.decoyHash(cost);
  }

  /** A cost above HASH_LIMITS is never run (its hash is refused), so it never prices anything. */
  noteStoredHash(cost: number, hashOfNormalized: boolean): void {
    this.#slowest.cost = Math.max(this.#slowest.cost, Math.min(cost, HASH_LIMITS.bcryptCost));
    this.#slowest.unnormalized ||= !hashOfNormalized;
  }

  /**
   * The slowest wrong password costs one compare at the highest stored cost
   * (or a costlier other format's derivation: #price), two when some hash may be of an un-normalised password and `password` is
   * not NFC. The difference from `spent` is made of decoy compares, one per
   * binary digit of it (bcrypt's work doubles with each cost), so any path
   * adds up to the same work. Returns the work it ran.
   */
  async padMismatch(password: string, spent: number): Promise<number> {
    const twice = this.#slowest.unnormalized && normalizePassword(password) !== password;
    let missing = this.#price() * (twice ? 2 : 1) - spent;
    const normalized = normalizePassword(password);
    let padded = 0;
    for (let cost = Math.min(Math.ceil(Math.log2(this.#price())) + 5, 31); missing > 0 && cost >= 4; cost -= 1) {
      if (missing < workOfCost(cost)) continue;
      await this.compare(normalized, await this.decoyHash(cost));
      missing -= workOfCost(cost);
      padded += workOfCost(cost);
    }
    return padded;
  }

  /**
   * A check of another format did not match after `tries` derivations that
   * took `milliseconds`. Its kind's work in bcrypt units (the median of its
   * recent samples, DerivationTimes) counts as spent, and decoy compares pad
   * the rest of the price, so the check adds up to the same bcrypt work as
   * any wrong password and follows the load as it does. The padding's own
   * pace (its last compare) then times this derivation for the next checks; a kind costlier
   * than the price, with a margin, raises it once seen twice
   * (docs/design/foreign-hashes.md).
   */
  async padForeignMismatch(password: string, { milliseconds, tries, work }: { milliseconds: number; tries: number; work: string }): Promise<void> {
    // Other formats are tried in the typed and the NFC form, as an un-normalised bcrypt hash is.
    this.noteStoredHash(this.#slowest.cost, false);
    const runs = Math.max(tries, 1);
    const perRun = milliseconds / runs;
    // A never-seen kind is priced from the recent pace of compares; nothing measured yet, it spends nothing.
    const estimate = this.#foreignWork.units(work) ?? (Number.isNaN(this.#pace.recent) ? 0 : perRun / this.#pace.recent);
    const timedBefore = this.#pace.count;
    await this.padMismatch(password, estimate * tries);
    // The pace of the padding's last compare at the configured cost or above; padding without one, the recent pace.
    const pace = this.#pace.count > timedBefore ? this.#pace.latest : this.#pace.recent;
    if (tries > 0 && pace > 0) this.#foreignWork.note(work, perRun / pace);
    this.#foreignPrice = this.#foreignWork.costliest();
  }

  /** What a wrong password costs, in bcrypt work: a compare on the slowest stored bcrypt hash, or more for a costlier other format. */
  #price(): number {
    return Math.max(workOfCost(this.#slowest.cost), this.#foreignPrice);
  }

  /** Starts computing the decoy hash of a cost (once) so the first unknown email is not faster or slower. */
  decoyHash(cost = this.cost): Promise<string> {
    let decoy = this.#decoys.get(cost);
    if (decoy === undefined) {
      this.operations.hashes += 1;
      decoy = this.#timed('hash', cost, () => bcrypt.hash(`decoy-${Math.random()}`, cost));
      this.#decoys.set(cost, decoy);
    }
    return decoy;
  }

  /** After a successful check: should the hash be replaced by a current bcrypt one? */
  needsRehash(hash: string, match: PasswordMatch, hashOfNormalized = true): boolean {
    const format = this.#formatOf(hash);
    return format === null || format !== this.#bcrypt || format.needsRehash(hash, match, hashOfNormalized);
  }

  /** The format that reads a stored hash and why it would be refused (null: it may run), or null when no format reads it. */
  describe(stored: string): { format: string; refusal: string | null } | null {
    const format = this.#formatOf(stored);
    return format === null ? null : { format: format.name, refusal: format.refusal(stored) };
  }

  #formatOf(hash: string): HashFormat | null {
    return this.formats.find((format) => format.reads(hash)) ?? null;
  }
}
