import { LegacyTokens, type LegacyClaims } from './legacy-tokens.ts';
import type { Session } from './session.entity.ts';
import type { SessionRepository } from './session.repository.ts';
import type { SessionClaims, SessionTokens } from './session-tokens.ts';
import type { User } from '../users/user.entity.ts';

export type SessionState =
  /** No token, or not one of ours (malformed, forged, expired, or an old token without a session). */
  | { state: 'none' }
  /** Our token, for an account that no longer exists. */
  | { state: 'unknown-user' }
  /** Our token, for a session that has ended (revoked, expired, idle) or been renewed since. */
  | { state: 'revoked' }
  | { state: 'active'; user: User; session: Session }
  /**
   * A token from the original login workflow (LEGACY_JWT_SECRET), still valid
   * for its account: signed in, but with no session (nothing to refresh, list or sign out).
   */
  | { state: 'legacy'; user: User };

/** Tokens from the original login and how to find their account (by email, one indexed read). */
export interface LegacyLogin {
  tokens: LegacyTokens;
  findUser(email: string): Promise<User | null>;
}

/**
 * A request's bearer token, checked only as far as someone asks: the
 * signature when `claims` is read, the session and account (one primary-key
 * read) when `user()` or `state()` is awaited. A request refused by
 * validation or a rate limit never touches the database. Both steps are
 * memoised per request.
 */
export class Authentication {
  readonly #token: string | null;
  readonly #tokens: SessionTokens;
  readonly #sessions: SessionRepository;
  readonly #legacy: LegacyLogin | null;
  #claims: SessionClaims | null | undefined;
  #legacyClaims: LegacyClaims | null | undefined;
  #state: Promise<SessionState> | undefined;

  constructor(token: string | null, tokens: SessionTokens, sessions: SessionRepository, legacy: LegacyLogin | null = null) {
    this.#token = token;
    this.#tokens = tokens;
    this.#sessions = sessions;
    this.#legacy = legacy;
  }

  /** What a validly signed, unexpired token says; null otherwise. Not yet checked against its session. */
  get claims(): SessionClaims | null {
    if (this.#claims === undefined) this.#claims = this.#token === null ? null : this.#tokens.verify(this.#token);
    return this.#claims;
  }

  /**
   * What a validly signed, unexpired token from the original login says;
   * null otherwise, also for one of Rekey's own (tried first) or without LEGACY_JWT_SECRET.
   */
  get legacyClaims(): LegacyClaims | null {
    if (this.#legacyClaims === undefined) {
      this.#legacyClaims = this.#token === null || this.#legacy === null || this.claims !== null ? null : this.#legacy.tokens.verify(this.#token);
    }
    return this.#legacyClaims;
  }

  /** Whether the token is validly signed at all (Rekey's or the original login's): the check before any database work. */
  get signed(): boolean {
    return this.claims !== null || this.legacyClaims !== null;
  }

  state(): Promise<SessionState> {
    this.#state ??= this.#load();
    return this.#state;
  }

  /** The signed-in account (with a session or a valid legacy token), or null for a missing, invalid, expired or revoked token. */
  async user(): Promise<User | null> {
    const session = await this.state();
    return session.state === 'active' || session.state === 'legacy' ? session.user : null;
  }

  /** The id of the request's active session, or null. */
  async sessionId(): Promise<string | null> {
    const session = await this.state();
    return session.state === 'active' ? session.session.id : null;
  }

  async #load(): Promise<SessionState> {
    const claims = this.claims;
    if (claims === null) return this.#loadLegacy();
    const { user, session, active } = await this.#sessions.findForRequest(claims.userId, claims.sessionId);
    if (user === null) return { state: 'unknown-user' };
    // Ended, or renewed (a password change) since the token was issued.
    if (session === null || !active || session.generation !== claims.generation) return { state: 'revoked' };
    return { state: 'active', user, session };
  }

  async #loadLegacy(): Promise<SessionState> {
    const claims = this.legacyClaims;
    if (claims === null || this.#legacy === null) return { state: 'none' };
    const user = await this.#legacy.findUser(claims.email);
    if (user === null) return { state: 'unknown-user' };
    // Void from the account's last password change, reset, sign-out everywhere or secureAccount (that second included).
    if (!LegacyTokens.survives(claims, user.legacyTokensValidAfter)) return { state: 'revoked' };
    return { state: 'legacy', user };
  }
}
