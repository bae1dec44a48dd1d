import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import type { Secret } from '../secrets/secret.ts';
import type { SigningKeyInUse, TokenKeys, VerifyingKey } from './token-keys.ts';

/**
 * HS256 with JWT_SECRET (JWT_ALGORITHM=HS256, and the upgrade path to
 * ES256). The `kid` names the secret by a hash of it, never the secret;
 * tokens from before kids (rounds 1 and 2) carry none and still verify.
 */
export class HmacTokenKeys implements TokenKeys {
  readonly kid: string;
  /**
   * A KeyObject, not the raw bytes: given a Buffer, jsonwebtoken first tries
   * (and fails) to parse it as a public key on every verify, ~6x slower.
   */
  readonly #key: KeyObject;

  constructor(secret: Secret) {
    if (secret.byteLength < 32) throw new Error('The token secret must be at least 32 bytes');
    this.#key = createSecretKey(secret.bytes);
    this.kid = `hs256-${createHash('sha256').update('rekey hs256 kid').update(secret.bytes).digest('base64url').slice(0, 16)}`;
  }

  signing(): SigningKeyInUse {
    return { algorithm: 'HS256', kid: this.kid, key: this.#key };
  }

  verifying(alg: string, kid: string | undefined): VerifyingKey | null {
    if (alg !== 'HS256' || (kid !== undefined && kid !== this.kid)) return null;
    return { algorithm: 'HS256', key: this.#key };
  }
}
