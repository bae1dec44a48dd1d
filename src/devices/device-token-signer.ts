import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../secrets/secret.ts';

/** Ours are about 90 characters; anything longer is ignored unread. */
export const MAX_DEVICE_TOKEN_LENGTH = 256;

/** What a correctly signed device token names; whether that device is still trusted is the database's to say. */
export interface DeviceClaims {
  deviceId: string;
  userId: number;
}

const VERSION = 'd1';
const SHAPE = /^d1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([1-9]\d{0,15})\.([\w-]{43})$/;

/**
 * Signs device tokens (OWASP "device cookies": login, nonce, signature):
 * `d1.<device id>.<account id>.<HMAC-SHA256>`. The device id is a random
 * UUID (the nonce) and its row says whether the device is still trusted; the
 * signature binds it to the account and lets a forged or altered token be
 * ignored without touching the database. Nothing stored can be turned back
 * into a token. The key is derived from the server secret (SERVER_SECRET; HKDF, its own label),
 * so no further secret needs configuring and it is never the JWT key itself.
 */
export class DeviceTokenSigner {
  readonly #key: Buffer;

  constructor(secret: Secret) {
    if (secret.byteLength < 32) throw new Error('The token secret must be at least 32 bytes');
    this.#key = Buffer.from(hkdfSync('sha256', secret.bytes, Buffer.alloc(0), 'rekey device tokens v1', 32));
  }

  sign({ deviceId, userId }: DeviceClaims): string {
    return `${VERSION}.${deviceId}.${userId}.${this.#mac(deviceId, userId).toString('base64url')}`;
  }

  /** The claims of a token this server signed; null for anything else (never throws). */
  read(token: string | null | undefined): DeviceClaims | null {
    if (typeof token !== 'string' || token.length > MAX_DEVICE_TOKEN_LENGTH) return null;
    const match = SHAPE.exec(token);
    if (match === null) return null;
    const [, deviceId = '', user = '', signature = ''] = match;
    const userId = Number(user);
    if (!Number.isSafeInteger(userId)) return null;
    // Compared as text: decoding first would accept the variants base64's unused last bits allow.
    const presented = Buffer.from(signature);
    const expected = Buffer.from(this.#mac(deviceId, userId).toString('base64url'));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return null;
    return { deviceId, userId };
  }

  #mac(deviceId: string, userId: number): Buffer {
    return createHmac('sha256', this.#key).update(`${VERSION}:${deviceId}:${userId}`).digest();
  }
}
