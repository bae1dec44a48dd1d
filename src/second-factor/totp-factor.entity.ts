import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/**
 * An account's authenticator (TOTP, RFC 6238). One row per account; it is
 * pending until a correct code confirms it. The secret is stored only
 * encrypted (secret-box.ts); `lastUsedStep` makes each code single use.
 */
export const TotpFactorSchema = defineEntity({
  name: 'TotpFactor',
  tableName: 'totp_factors',
  properties: {
    user: p.oneToOne(User).primary().deleteRule('cascade'),
    /** AES-256-GCM of the base32 secret: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
    secretCiphertext: p.text().hidden(),
    confirmedAt: p.datetime().nullable(),
    /** The 30-second step of the last code accepted; a code of this step or an earlier one is refused. */
    lastUsedStep: p.bigint('number').nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});

export class TotpFactor extends TotpFactorSchema.class {}
TotpFactorSchema.setClass(TotpFactor);
