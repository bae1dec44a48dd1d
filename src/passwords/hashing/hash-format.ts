/** `unnormalized-match`: the hash was made elsewhere from the password before NFC normalisation. */
export type PasswordMatch = 'match' | 'unnormalized-match' | 'mismatch';

/**
 * One stored-hash format. PasswordHasher dispatches on the stored hash to
 * the first format that reads it; new hashes are always bcrypt. A wrong
 * password on any format must cost what one on the slowest stored hash costs
 * (docs/design/timing-parity.md): `verify` pads its own mismatches.
 */
export interface HashFormat {
  readonly name: string;
  /** Whether `stored` is a hash of this format (a cheap syntactic check). */
  reads(stored: string): boolean;
  /**
   * Checks a password. `hashOfNormalized` false: the hash may have been made
   * from the password before NFC normalisation, so the raw form is tried too.
   * `priced` false (a former password, not an account's current one): the
   * hash neither raises the price of wrong passwords nor is a mismatch padded.
   */
  verify(password: string, stored: string, hashOfNormalized: boolean, options?: { priced: boolean }): Promise<PasswordMatch>;
  /**
   * Why a hash this format reads would not be run (parameters asking for
   * more memory or time than HASH_LIMITS allows), or null. A refused hash
   * never matches and costs what a wrong password costs; the import refuses it.
   */
  refusal(stored: string): string | null;
  /** After a successful check: should the hash be replaced by a current bcrypt one? */
  needsRehash(stored: string, match: PasswordMatch, hashOfNormalized: boolean): boolean;
  /** Matches a hash of this format in free text, so logs and errors can blank it (observability/logging.ts). */
  readonly redactionPattern: RegExp;
}
