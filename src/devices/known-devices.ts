import { randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.ts';
import type { DeviceTokenSigner } from './device-token-signer.ts';
import { DeviceTokenRepository, type DeviceVoidReason } from './device-token.repository.ts';
import type { ReservedCheck } from '../lockout/password-check.ts';
import type { User } from '../users/user.entity.ts';

/** This many failed sign-ins in a row with one device token void it (docs/design/lockout-and-devices.md). */
export const DEVICE_FAILURE_LIMIT = 10;
/** A device stays trusted this long after its last successful sign-in (the cookie's Max-Age). */
export const DEVICE_TOKEN_TTL_MS = 365 * 86_400_000;
/** Trusted devices kept per account; a new one beyond this voids the least recently used. */
export const MAX_DEVICES_PER_USER = 100;

/** A device token that is trusted for the email it was presented with. */
export interface TrustedDevice {
  id: string;
  /** The token as presented: a successful sign-in hands it back. */
  token: string;
  user: User;
}

/**
 * Device tokens (OWASP "slow down online guessing with device cookies";
 * see docs/design/lockout-and-devices.md). A device that signed in before
 * presents its token; such a sign-in is counted in the device's own bucket and
 * its own failure count, and is never refused by the email's limit or the
 * account's block, so an attack on the account cannot stop its owner there.
 * Its failures do not feed the account's block either, and its successes do not
 * lift it: the owner signing in must not reopen an attacker's window.
 */
export class KnownDevices {
  readonly #signer: DeviceTokenSigner;
  readonly #devices: DeviceTokenRepository;

  constructor(db: Db, signer: DeviceTokenSigner) {
    this.#signer = signer;
    this.#devices = new DeviceTokenRepository(db);
  }

  /** The same service on another EntityManager (a transaction's). */
  on(db: Db): KnownDevices {
    return new KnownDevices(db, this.#signer);
  }

  /**
   * The trusted device behind `token` for `email`; null when there is none, and
   * the same null for a forged, altered, voided or expired token or another
   * account's: the sign-in then goes the way of any other. A token that is
   * not signed by this server costs no database work.
   */
  async recognise(token: string | null | undefined, email: string): Promise<TrustedDevice | null> {
    const claims = this.#signer.read(token);
    if (claims === null || token == null) return null;
    const user = await this.#devices.findTrusted(claims.deviceId, claims.userId, email, DEVICE_FAILURE_LIMIT);
    return user === null ? null : { id: claims.deviceId, token, user };
  }

  /**
   * Counts this sign-in as failed in advance; null when the device stopped
   * being trusted meanwhile (the sign-in then goes the way of any other).
   */
  async reserve(device: TrustedDevice): Promise<ReservedCheck | null> {
    const reservedCount = await this.#devices.reserveCheck(device.id, DEVICE_FAILURE_LIMIT);
    if (reservedCount === null) return null;
    return {
      failed: async (tx) => {
        if (reservedCount < DEVICE_FAILURE_LIMIT) return 'none';
        await new DeviceTokenRepository(tx).void(device.id, 'failed_sign_ins');
        return 'device-voided';
      },
      succeeded: (db) => new DeviceTokenRepository(db).succeeded(device.id, DEVICE_TOKEN_TTL_MS),
    };
  }

  /** A new trusted device for an account that just proved its password; returns its token. */
  async issue(user: Pick<User, 'id'>): Promise<string> {
    const id = randomUUID();
    await this.#devices.create({ id, userId: user.id, ttlMs: DEVICE_TOKEN_TTL_MS, keep: MAX_DEVICES_PER_USER });
    return this.#signer.sign({ deviceId: id, userId: user.id });
  }

  /** Every device of the account stops being trusted (its sessions all ended); returns how many. */
  voidAll(userId: number, reason: DeviceVoidReason = 'sessions_revoked'): Promise<number> {
    return this.#devices.voidAllOf(userId, reason);
  }

  /** The sweep: devices voided or expired more than `retentionMs` ago are deleted. */
  deleteEnded(retentionMs: number): Promise<number> {
    return this.#devices.deleteEnded(retentionMs);
  }
}
