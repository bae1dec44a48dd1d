import type { SecretBox } from './secret-box.ts';

/** What the second factor needs that lives longer than a request (from configuration). */
export interface SecondFactorSettings {
  /** Seals TOTP secrets and hashes recovery codes under TOTP_ENCRYPTION_KEY. */
  box: SecretBox;
  /** TOTP_ISSUER: the name authenticator apps show. */
  issuer: string;
  /** SECOND_FACTOR_CHALLENGE_TTL: how long a sign-in's challenge token can be redeemed. */
  challengeTtlMs: number;
}
