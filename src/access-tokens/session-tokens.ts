import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { TokenKeys } from './token-keys.ts';

export interface SessionTokenSettings {
  keys: TokenKeys;
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

/** Tokens whose signature this process has checked, kept by their exact text until they expire. */
const VERIFIED_CAPACITY = 10_000;

interface Verified {
  claims: SessionClaims;
  /** `exp` in epoch ms: past it the entry answers nothing. */
  expiresAtMs: number;
}

/** The JOSE header's `alg` and `kid`, read before any key is chosen; null when it is not a JSON object with a string `alg`. */
function headerOf(token: string): { alg: string; kid: string | undefined } | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null) return null;
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    if (typeof alg !== 'string' || (kid !== undefined && typeof kid !== 'string')) return null;
    return { alg, kid };
  } catch {
    return null;
  }
}

/**
 * Access tokens: JWTs signed with the current key of `keys` (ES256 from the
 * shared key set, or HS256), each with its `kid`. The key is chosen by the
 * header's `alg` and `kid` from keys we hold, and the algorithm is then
 * pinned to that key's: `none`, a public key used as an HMAC secret and
 * every other confusion is refused. jsonwebtoken accepts tokens without
 * `exp` and any audience unless told otherwise, so issuer, audience and
 * `exp` are pinned here too.
 */
export class SessionTokens {
  readonly #settings: Omit<SessionTokenSettings, 'keys'>;
  readonly #keys: TokenKeys;
  /**
   * A client sends the same token for its whole life, and an ES256 check
   * costs several HMACs: the claims of a token verified once are kept under
   * its exact text (only validly signed ones, so forgeries cannot evict them)
   * and answered again until its `exp`. The session is still read per request.
   */
  readonly #verified = new LRUCache<string, Verified>({ max: VERIFIED_CAPACITY });

  constructor({ keys, ...settings }: SessionTokenSettings) {
    this.#settings = settings;
    this.#keys = keys;
  }

  issue(claims: SessionClaims, now = Date.now()): IssuedToken {
    const { ttlSeconds, issuer, audience } = this.#settings;
    const issuedAt = Math.floor(now / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const { algorithm, kid, key } = this.#keys.signing();
    const token = jwt.sign({ sid: claims.sessionId, gen: claims.generation, iat: issuedAt, exp: expiresAt }, key, {
      algorithm,
      keyid: kid,
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
    const known = this.#verified.get(token);
    if (known !== undefined) {
      if (known.expiresAtMs > Date.now()) return known.claims;
      this.#verified.delete(token);
      return null;
    }
    const verified = this.#verify(token);
    if (verified !== null) this.#verified.set(token, verified);
    return verified?.claims ?? null;
  }

  #verify(token: string): Verified | null {
    const { issuer, audience, ttlSeconds } = this.#settings;
    const header = headerOf(token);
    const verifying = header && this.#keys.verifying(header.alg, header.kid);
    if (!verifying) return null;
    try {
      const payload = jwt.verify(token, verifying.key, { algorithms: [verifying.algorithm], issuer, audience, complete: false });
      if (typeof payload !== 'object' || typeof payload.exp !== 'number') return null;
      if (verifying.issuedNoLaterThan !== undefined) {
        // A secret kept for the switch verifies only what it signed before, for no longer than a token lives.
        if (typeof payload.iat !== 'number' || payload.iat > verifying.issuedNoLaterThan || payload.exp - payload.iat > ttlSeconds) return null;
      }
      const userId = Number(payload.sub);
      const { sid: sessionId, gen: generation } = payload as { sid?: unknown; gen?: unknown };
      if (!Number.isSafeInteger(userId) || userId <= 0) return null;
      if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return null;
      if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return null;
      return { claims: { userId, sessionId, generation }, expiresAtMs: payload.exp * 1000 };
    } catch {
      return null;
    }
  }
}
