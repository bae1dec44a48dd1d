import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Secret } from '../secrets/secret.ts';

export interface SessionTokenSettings {
  secret: Secret;
  ttlSeconds: number;
  issuer: string;
  audience: string;
}

/** What a verified token says; it is still checked against its session row. */
export interface SessionClaims {
  userId: number;
  /** The session it belongs to (`sid`). */
  sessionId: string;
  /** The session's generation when it was issued (`gen`); renewal raises it. */
  generation: number;
}

/** Session ids are random UUIDs; anything else in `sid` is not our token. */
export const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Longer bearer values are refused unread: ours are about 300 bytes. */
export const MAX_TOKEN_LENGTH = 2048;

/**
 * HS256 JWTs. jsonwebtoken accepts tokens without `exp` and any audience
 * unless told otherwise, so algorithm, issuer, audience and `exp` are all
 * pinned here.
 */
export class SessionTokens {
  readonly #settings: Omit<SessionTokenSettings, 'secret'>;
  /**
   * A KeyObject, not the raw bytes: given a Buffer, jsonwebtoken first tries
   * (and fails) to parse it as a public key on every verify, ~6x slower.
   */
  readonly #key: KeyObject;

  constructor({ secret, ...settings }: SessionTokenSettings) {
    if (secret.byteLength < 32) throw new Error('The token secret must be at least 32 bytes');
    this.#settings = settings;
    this.#key = createSecretKey(secret.bytes);
  }

  issue(claims: SessionClaims, now = Date.now()): IssuedToken {
    const { ttlSeconds, issuer, audience } = this.#settings;
    const issuedAt = Math.floor(now / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const token = jwt.sign({ sid: claims.sessionId, gen: claims.generation, iat: issuedAt, exp: expiresAt }, this.#key, {
      algorithm: 'HS256',
      subject: String(claims.userId),
      issuer,
      audience,
      jwtid: randomUUID(),
    });
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The claims of a valid token, or null for anything else, old tokens without a session included (never throws). */
  verify(token: string): SessionClaims | null {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const { issuer, audience } = this.#settings;
    try {
      const payload = jwt.verify(token, this.#key, { algorithms: ['HS256'], issuer, audience, complete: false });
      if (typeof payload !== 'object' || typeof payload.exp !== 'number') return null;
      const userId = Number(payload.sub);
      const { sid: sessionId, gen: generation } = payload as { sid?: unknown; gen?: unknown };
      if (!Number.isSafeInteger(userId) || userId <= 0) return null;
      if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return null;
      if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return null;
      return { userId, sessionId, generation };
    } catch {
      return null;
    }
  }
}
