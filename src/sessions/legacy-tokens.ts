import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Secret } from '../secrets/secret.ts';
import { MAX_TOKEN_LENGTH } from '../access-tokens/session-tokens.ts';

/** What a token from the original login workflow says about its holder. */
export interface LegacyClaims {
  /** Trimmed and lower-cased, as Rekey stores emails. */
  email: string;
  /** `iat` in seconds, when present. */
  issuedAt: number | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** How far ahead of our clock an `iat` may be (the two servers' clocks differ a little). */
const IAT_LEEWAY_SECONDS = 60;

export interface LegacyTokenOptions {
  /** LEGACY_JWT_MAX_AGE: refused once `iat` is older than this; null (0) sets no maximum age. */
  maxAgeMs: number | null;
}

/**
 * Tokens signed by the original change-password workflow's own login (HS256
 * with its secret, the account's email in `sub` or `email`, `exp` required).
 * Accepted so a front end keeps its old login while only the change-password
 * route moves to Rekey; Rekey never issues them. Algorithm pinned: `none`,
 * RS256 with the secret as a key and every other algorithm are refused.
 */
export class LegacyTokens {
  readonly #key: KeyObject;
  readonly #maxAgeSeconds: number | null;

  constructor(secret: Secret, { maxAgeMs }: LegacyTokenOptions) {
    if (secret.byteLength < 32) throw new Error('LEGACY_JWT_SECRET must be at least 32 bytes');
    this.#key = createSecretKey(secret.bytes);
    this.#maxAgeSeconds = maxAgeMs === null ? null : maxAgeMs / 1000;
  }

  /** The claims of a valid legacy token, or null for anything else (never throws). */
  verify(token: string): LegacyClaims | null {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    try {
      const payload = jwt.verify(token, this.#key, { algorithms: ['HS256'] });
      if (typeof payload !== 'object' || typeof payload.exp !== 'number') return null;
      const claimed = typeof payload.email === 'string' ? payload.email : payload.sub;
      if (typeof claimed !== 'string') return null;
      const email = claimed.trim().toLowerCase();
      if (email.length > 254 || !EMAIL.test(email)) return null;
      const issuedAt = typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? payload.iat : null;
      return this.#timely(issuedAt) ? { email, issuedAt } : null;
    } catch {
      return null;
    }
  }

  /**
   * Whether `iat` places the token in time: not ahead of our clock beyond the
   * leeway (a future `iat` would survive every revocation, see survives), and
   * not older than the maximum age, whatever its `exp` says. Without `iat`
   * the age cannot be told, so such a token passes only with no maximum age.
   */
  #timely(issuedAt: number | null): boolean {
    const nowSeconds = Date.now() / 1000;
    if (issuedAt === null) return this.#maxAgeSeconds === null;
    if (issuedAt > nowSeconds + IAT_LEEWAY_SECONDS) return false;
    return this.#maxAgeSeconds === null || nowSeconds - issuedAt <= this.#maxAgeSeconds;
  }

  /**
   * Whether a legacy token issued at `issuedAt` survives the account's last
   * revocation (password change, reset, sign-out everywhere, secureAccount).
   * Refused when not after that moment; the same second counts as before,
   * since `iat` has whole seconds. A token without `iat` cannot be placed in
   * time, so it works only while the account has never revoked anything.
   */
  static survives(claims: LegacyClaims, validAfter: Date | null | undefined): boolean {
    if (validAfter === null || validAfter === undefined) return true;
    if (claims.issuedAt === null) return false;
    return claims.issuedAt > Math.floor(validAfter.getTime() / 1000);
  }
}
