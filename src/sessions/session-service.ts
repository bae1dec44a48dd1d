import { randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import type { Authentication } from './authentication.ts';
import type { SessionClient } from '../events/client.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import { InvalidSessionError, SessionNotFoundError } from '../errors/errors.ts';
import { MAX_REFRESH_TOKEN_LENGTH, hashRefreshToken, newRefreshToken, openSuccessor, sealSuccessor } from './refresh-token-secret.ts';
import { RefreshTokenRepository, type Rotation } from './refresh-token.repository.ts';
import { MAX_USER_AGENT_LENGTH, type Session } from './session.entity.ts';
import { SessionRepository, type RevocationReason } from './session.repository.ts';
import type { SessionSettings } from './session-settings.ts';
import { recordRevocations, revokeEverywhere, type RevokeEverywhereOptions } from './revoke-everywhere.ts';
import { SESSION_ID, type IssuedToken, type SessionTokens } from '../access-tokens/session-tokens.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';

export interface SessionDeps {
  /** Revocations are recorded (SESSION_REVOKED, SIGNED_OUT, REFRESH_TOKEN_REUSED) in their own transaction. */
  events: SecurityEvents;
  tokens: SessionTokens;
  limiter: AttemptLimiter;
  sessions: SessionSettings;
}


/** Who a revocation is recorded for. */
type Account = Pick<User, 'id' | 'email'>;

/** Everything an answer that signs a device in hands back. */
export interface SignedIn extends IssuedToken {
  user: User;
  session: Session;
  refreshToken: string;
  refreshExpiresAt: Date;
  /** The device's token (known-devices.ts), from answers that verified the password: signUp, signIn, changePassword. */
  deviceToken?: string;
}

export interface SignOutResult {
  success: true;
  revokedSessions: number;
}

/**
 * Per-device sessions with rotating refresh tokens (docs/design/sessions.md). Bound
 * to one EntityManager: the request's fork, or a transaction's (`on(tx)`), so
 * that a password change and its revocations commit together.
 */
export class SessionService {
  readonly #db: Db;
  readonly #deps: SessionDeps;
  readonly #sessions: SessionRepository;
  readonly #refreshTokens: RefreshTokenRepository;

  constructor(db: Db, deps: SessionDeps) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = new SessionRepository(db, deps.sessions.idleTimeoutMs);
    this.#refreshTokens = new RefreshTokenRepository(db, deps.sessions.idleTimeoutMs);
  }

  /** The same service on another EntityManager (a transaction's). */
  on(db: Db): SessionService {
    return new SessionService(db, this.#deps);
  }

  /** The per-request session lookup: one primary-key read (see Authentication). */
  get repository(): SessionRepository {
    return this.#sessions;
  }

  /** Starts a session for a device that just proved the password (signUp, signIn); the oldest beyond the limit end. */
  async start(user: User, client: SessionClient): Promise<SignedIn> {
    return this.#db.transactional(async (tx) => {
      const sessions = this.on(tx);
      const session = await sessions.#sessions.create({
        id: randomUUID(),
        userId: user.id,
        ttlMs: this.#deps.sessions.ttlMs,
        ipAddress: client.address || null,
        userAgent: client.userAgent ? client.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
      });
      const overLimit = await sessions.#sessions.revokeBeyond(user.id, this.#deps.sessions.maxPerUser, 'session_limit');
      await sessions.#revoked(user, overLimit, 'session_limit', client);
      return sessions.#issue(user, session);
    });
  }

  /**
   * Rotation: the presented token is traded for a new access and refresh
   * token. A token traded in within the reuse grace (a second tab) gets a new
   * access token and the successor it was traded for, so the session stays
   * one chain; one traded in longer ago was stolen, and its session ends
   * (docs/design/sessions.md#one-chain-per-session).
   */
  async refresh(refreshToken: string, client: SessionClient): Promise<SignedIn> {
    await consumeAttempt(this.#deps.limiter, 'refreshSession', [addressLimitKey(client.address)]);
    if (refreshToken.length === 0 || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) throw new InvalidSessionError();
    const next = newRefreshToken();
    const presentedHash = hashRefreshToken(refreshToken);
    const sealed = sealSuccessor(refreshToken, next.token);
    // The common case is one statement: the token read, traded in and replaced.
    let rotation = await this.#refreshTokens.rotate(presentedHash, next.hash, sealed);
    // Lost a race just now: the winner has committed its successor; read it.
    if (rotation?.rotated === null && rotation.sessionActive && rotation.usedMsAgo === null) {
      rotation = await this.#refreshTokens.rotate(presentedHash, next.hash, sealed);
    }
    if (rotation === null || !rotation.sessionActive) throw new InvalidSessionError();
    if (rotation.rotated !== null) {
      const { session, user } = rotation.rotated;
      if (user === null) throw new InvalidSessionError();
      return this.#signedIn(user, session, next);
    }
    if ((rotation.usedMsAgo ?? 0) > this.#deps.sessions.reuseGraceMs) {
      await this.#revokeReused(rotation, client);
      throw new InvalidSessionError();
    }
    const successor = rotation.sealedSuccessor === null ? null : openSuccessor(refreshToken, rotation.sealedSuccessor);
    if (successor === null) throw new InvalidSessionError();
    return this.#db.transactional(async (tx) => {
      // Still active, and not renewed by a password change since the token was read.
      const touched = await this.on(tx).#sessions.touch(rotation.sessionId, rotation.generation);
      if (touched === null) throw new InvalidSessionError();
      const user = await new UserRepository(tx).findById(touched.user.id);
      if (user === null) throw new InvalidSessionError();
      return this.#signedIn(user, touched, { token: successor });
    });
  }

  /** A spent token came back after the grace: a copy. Its session ends for the thief and the owner alike. */
  async #revokeReused(rotation: Rotation, client: SessionClient): Promise<void> {
    await this.#db.transactional(async (tx) => {
      const sessions = this.on(tx);
      const owner = await new UserRepository(tx).findById(rotation.userId);
      if ((await sessions.#sessions.revoke(rotation.sessionId, 'refresh_token_reused')) && owner !== null) {
        await sessions.#revoked(owner, [rotation.sessionId], 'refresh_token_reused', client);
      }
    });
  }

  /** Ends the caller's session, or with `everywhere` every session of the account. */
  async signOut(auth: Authentication, { everywhere }: { everywhere: boolean }, client: SessionClient): Promise<SignOutResult> {
    const state = await auth.state();
    if (state.state !== 'active') throw new InvalidSessionError();
    return this.#db.transactional(async (tx) => {
      const sessions = this.on(tx);
      if (everywhere) {
        // One SIGNED_OUT for the account, from the session that asked.
        const revoked = await sessions.revokeEverywhere(state.user, 'signed_out_everywhere', client, { recordFor: state.session.id });
        return { success: true, revokedSessions: revoked };
      }
      const revoked = await sessions.#sessions.revokeOwn(state.user.id, state.session.id, 'signed_out');
      if (revoked) await sessions.#revoked(state.user, [state.session.id], 'signed_out', client);
      return { success: true, revokedSessions: revoked ? 1 : 0 };
    });
  }


  /** Ends one of the caller's own active sessions (the current one included); anything else is "not found". */
  async revoke(auth: Authentication, sessionId: string, client: SessionClient): Promise<SignOutResult & { current: boolean }> {
    const state = await auth.state();
    if (state.state !== 'active') throw new InvalidSessionError();
    if (!SESSION_ID.test(sessionId)) throw new SessionNotFoundError();
    return this.#db.transactional(async (tx) => {
      const sessions = this.on(tx);
      if (!(await sessions.#sessions.revokeOwn(state.user.id, sessionId, 'revoked'))) throw new SessionNotFoundError();
      await sessions.#revoked(state.user, [sessionId], 'revoked', client);
      return { success: true, revokedSessions: 1, current: sessionId === state.session.id };
    });
  }

  /** The account's active sessions, most recently active first. */
  listActive(userId: number): Promise<Session[]> {
    return this.#sessions.listActive(userId);
  }

  /**
   * After a password change, in its transaction: the caller's session gets a
   * new generation and loses every refresh token (its old access and refresh
   * tokens die), then a fresh pair. Null when the session ended meanwhile.
   */
  async renew(user: User, sessionId: string, generation: number): Promise<SignedIn | null> {
    const renewed = await this.#sessions.renew(sessionId, generation);
    if (renewed === null) return null;
    const refresh = newRefreshToken();
    await this.#refreshTokens.replaceAllOfSession(sessionId, refresh.hash);
    return this.#signedIn(user, renewed, refresh);
  }

  /** See revokeEverywhere (revoke-everywhere.ts); call on the transaction's EntityManager (`on(tx)`). */
  revokeEverywhere(user: Account, reason: RevocationReason, client: SessionClient, options: RevokeEverywhereOptions = {}): Promise<number> {
    return revokeEverywhere(this.#db, this.#deps, { user, reason, client, ...options });
  }



  /**
   * Counts a changePassword check against the session before bcrypt runs
   * (SESSION_FAILURE_LIMIT). Null when the session is no longer active at
   * `generation` or has no check left; `last` when this is its final one.
   */
  async reservePasswordCheck(sessionId: string, generation: number): Promise<{ last: boolean } | null> {
    const limit = this.#deps.sessions.failureLimit;
    const count = await this.#sessions.reservePasswordCheck(sessionId, generation, limit);
    return count === null ? null : { last: count >= limit };
  }

  /** The session's current password was right (reused, or refused by a later rule): its count starts over. */
  clearPasswordFailures(sessionId: string): Promise<void> {
    return this.#sessions.clearPasswordFailures(sessionId);
  }

  /** SESSION_FAILURE_LIMIT wrong current passwords in a row: the session ends (SESSION_REVOKED). */
  async revokeAfterPasswordFailures(user: Account, sessionId: string, client: SessionClient): Promise<boolean> {
    const revoked = await this.#sessions.revokeOwn(user.id, sessionId, 'password_failures');
    if (revoked) await this.#revoked(user, [sessionId], 'password_failures', client);
    return revoked;
  }

  /**
   * Every revocation passes here, on the EntityManager of the transaction
   * that revoked: its events commit with it (one per ended session).
   */
  #revoked(user: Account, sessionIds: string[], reason: RevocationReason, client: SessionClient): Promise<void> {
    return recordRevocations(this.#db, this.#deps.events, { user, sessionIds, reason, client });
  }


  async #issue(user: User, session: Session): Promise<SignedIn> {
    const refresh = newRefreshToken();
    await this.#refreshTokens.add(refresh.hash, session.id);
    return this.#signedIn(user, session, refresh);
  }

  /** The answer for a session whose new refresh token is stored. */
  #signedIn(user: User, session: Session, refresh: { token: string }): SignedIn {
    const access = this.#deps.tokens.issue({ userId: user.id, sessionId: session.id, generation: session.generation });
    return { user, session, ...access, refreshToken: refresh.token, refreshExpiresAt: session.expiresAt };
  }
}
