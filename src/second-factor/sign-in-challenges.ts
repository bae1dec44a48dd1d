import { AccountTokenRepository, isWellFormedAccountToken } from '../account-tokens/account-token.repository.ts';
import type { Db } from '../db/orm.ts';

/** What signIn answers instead of a session when the account has TOTP on. */
export interface SecondFactorChallenge {
  /** Single use; redeemed with a code by verifySecondFactor. */
  challengeToken: string;
  expiresAt: Date;
}

const PURPOSE = 'second_factor_challenge';

/**
 * The half-finished sign-in between the password and the code: a random
 * token (256 bits, stored as a hash in `account_tokens`), bound to the
 * account whose password was just verified, valid SECOND_FACTOR_CHALLENGE_TTL,
 * used up by the verification that succeeds.
 */
export class SignInChallenges {
  readonly #db: Db;
  readonly #ttlMs: number;

  constructor(db: Db, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  async issue(userId: number): Promise<SecondFactorChallenge> {
    const minted = await new AccountTokenRepository(this.#db).mint(userId, PURPOSE, this.#ttlMs, new Date());
    return { challengeToken: minted.token, expiresAt: minted.expiresAt };
  }

  /** The account a live challenge belongs to, without using it (a wrong code leaves it usable until it expires). */
  async accountOf(challengeToken: string): Promise<number | null> {
    if (!isWellFormedAccountToken(challengeToken)) return null;
    return new AccountTokenRepository(this.#db).find(PURPOSE, challengeToken);
  }

  /** Uses the challenge once, in the transaction that signs in: of two concurrent verifications, one gets it. */
  static redeem(tx: Db, challengeToken: string): Promise<number | null> {
    return new AccountTokenRepository(tx).consume(PURPOSE, challengeToken);
  }
}
