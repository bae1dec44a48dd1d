import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/**
 * A device the account signed in on (docs/design/lockout-and-devices.md). The token itself
 * is signed, not stored (device-token-signer.ts): this row only says whether
 * the device is still trusted and counts its failed sign-ins in a row.
 */
export const DeviceTokenSchema = defineEntity({
  name: 'DeviceToken',
  tableName: 'device_tokens',
  properties: {
    /** A random UUID, named by the token. */
    id: p.uuid().primary(),
    user: p.manyToOne(User).deleteRule('cascade'),
    createdAt: p.datetime().defaultRaw('now()'),
    /** The last sign-in on this device that proved the password. */
    lastUsedAt: p.datetime().defaultRaw('now()'),
    /** A year after the last successful sign-in, as the cookie's Max-Age. */
    expiresAt: p.datetime(),
    /** Failed sign-ins in a row with this token (counted before each check); the limit voids it. */
    failedSignIns: p.integer().default(0),
    voidedAt: p.datetime().nullable(),
    /** Why: failed_sign_ins, or the revocation that ended every session of the account. */
    voidedReason: p.string().length(40).nullable(),
  },
  indexes: [{ name: 'device_tokens_user_id_last_used_at_index', properties: ['user', 'lastUsedAt'] }],
});

export class DeviceToken extends DeviceTokenSchema.class {}
DeviceTokenSchema.setClass(DeviceToken);
