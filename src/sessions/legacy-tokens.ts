import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Secret } from '../secrets/secret.ts';
import { MAX_TOKEN_LENGTH } from './session-tokens.ts';

/** What a token from the original login workflow says about its holder. */
export interface LegacyClaims {
  /** Trimmed and lower-cased, as Rekey stores emails. */
  email: string;
  /** `iat` in seconds, when present. */
  issuedAt: number | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Tokens signed by the original change-password workflow's own login (HS256
 * with its secret, the account's email in `sub` or `email`, `exp` required).
 * Accepted so a front end keeps its old login while only the change-password
 * route moves to Rekey; Rekey never issues them. Algorithm pinned: `none`,
 * RS256 with the secret as a key and every other algorithm are refused.
 */
export class LegacyTokens {
  readonly #key: KeyObject;

  constructor(secret: Secret) {
    if (secret.byteLength < 32) throw new Error('LEGACY_JWT_SECRET must be at least 32 bytes');
    this.#key = createSecretKey(secret.bytes);
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
      return { email, issuedAt: typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? payload.iat : null };
    } catch {
      return null;
    }
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
