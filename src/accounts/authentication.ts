import type { SessionClaims, SessionTokens } from './session-tokens.ts';
import type { User } from './user.entity.ts';
import type { UserRepository } from './user.repository.ts';

export type SessionState =
  /** No token, or not one of ours (malformed, forged, expired). */
  | { state: 'none' }
  /** Our token, for an account that no longer exists. */
  | { state: 'unknown-user' }
  /** Our token, issued before the password was changed with revocation. */
  | { state: 'revoked' }
  | { state: 'active'; user: User };

/**
 * A request's bearer token, checked only as far as someone asks: the
 * signature when `claims` is read, the account (one primary-key lookup) when
 * `user()` or `state()` is awaited. A request refused by validation or a rate
 * limit never touches the database. Both steps are memoised per request.
 */
export class Authentication {
  readonly #token: string | null;
  readonly #tokens: SessionTokens;
  readonly #users: UserRepository;
  #claims: SessionClaims | null | undefined;
  #state: Promise<SessionState> | undefined;

  constructor(token: string | null, tokens: SessionTokens, users: UserRepository) {
    this.#token = token;
    this.#tokens = tokens;
    this.#users = users;
  }

  /** What a validly signed, unexpired token says; null otherwise. Not yet checked against revocation. */
  get claims(): SessionClaims | null {
    if (this.#claims === undefined) this.#claims = this.#token === null ? null : this.#tokens.verify(this.#token);
    return this.#claims;
  }

  state(): Promise<SessionState> {
    this.#state ??= this.#load();
    return this.#state;
  }

  /** The signed-in account, or null for a missing, invalid, expired or revoked token. */
  async user(): Promise<User | null> {
    const session = await this.state();
    return session.state === 'active' ? session.user : null;
  }

  async #load(): Promise<SessionState> {
    const claims = this.claims;
    if (claims === null) return { state: 'none' };
    const user = await this.#users.findById(claims.userId);
    if (user === null) return { state: 'unknown-user' };
    // A different version: the password was changed (and sessions revoked) since the token was issued.
    if (user.sessionVersion !== claims.sessionVersion) return { state: 'revoked' };
    return { state: 'active', user };
  }
}
