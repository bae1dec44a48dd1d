import type { KeyObject } from 'node:crypto';

export type TokenAlgorithm = 'ES256' | 'HS256';

/** The key new access tokens are signed with. */
export interface SigningKeyInUse {
  algorithm: TokenAlgorithm;
  kid: string;
  key: KeyObject;
}

/** The key that verifies a token with a given header. */
export interface VerifyingKey {
  algorithm: TokenAlgorithm;
  key: KeyObject;
  /**
   * Only tokens issued no later than this (seconds since the epoch) verify:
   * an HS256 secret kept after the switch to ES256 verifies the tokens it
   * signed before, never one minted with it since.
   */
  issuedNoLaterThan?: number;
}

/** Where access tokens' keys come from: one HS256 secret, or the shared ES256 key set. Lookups do no I/O. */
export interface TokenKeys {
  signing(): SigningKeyInUse;
  /** The key for a token whose header says `alg` and `kid` (absent in round-1/2 tokens), or null. */
  verifying(alg: string, kid: string | undefined): VerifyingKey | null;
}
