import type { HmacTokenKeys } from './hmac-token-keys.ts';
import type { SigningKeyInUse, TokenKeys, VerifyingKey } from './token-keys.ts';
import type { KeyRing } from './key-ring.ts';

/**
 * ES256 from the shared key set; with JWT_SECRET still set after a switch
 * from HS256, also the HS256 tokens it signed before the switch (until they
 * expire), so the upgrade signs no one out.
 */
export class RingTokenKeys implements TokenKeys {
  readonly #ring: KeyRing;
  readonly #previous: { keys: HmacTokenKeys; activationDelayMs: number } | null;

  constructor(ring: KeyRing, previous: { keys: HmacTokenKeys; activationDelayMs: number } | null) {
    this.#ring = ring;
    this.#previous = previous;
  }

  signing(): SigningKeyInUse {
    const { kid, privateKey } = this.#ring.active();
    return { algorithm: 'ES256', kid, key: privateKey };
  }

  verifying(alg: string, kid: string | undefined): VerifyingKey | null {
    if (alg === 'ES256') {
      const held = kid === undefined ? null : this.#ring.published(kid);
      return held ? { algorithm: 'ES256', key: held.publicKey } : null;
    }
    return this.#previousHs256(alg, kid);
  }

  /**
   * Instances still on HS256 during a rolling upgrade go on issuing for up to
   * the activation delay after the first ES256 key appeared; nothing issued later verifies.
   */
  #previousHs256(alg: string, kid: string | undefined): VerifyingKey | null {
    const verifying = this.#previous?.keys.verifying(alg, kid);
    const since = this.#ring.firstKeyCreatedAt;
    if (!verifying || !this.#previous || since === null) return null;
    return { ...verifying, issuedNoLaterThan: Math.floor((since.getTime() + this.#previous.activationDelayMs) / 1000) };
  }
}
