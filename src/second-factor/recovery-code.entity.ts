import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/**
 * One of an account's ten single-use recovery codes, stored only as a keyed
 * hash (recovery-codes.ts): the codes themselves are shown once, at confirmation.
 */
export const RecoveryCodeSchema = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_codes',
  properties: {
    id: p.uuid().primary(),
    user: p.manyToOne(User).deleteRule('cascade'),
    /** Hex HMAC-SHA-256 of the normalised code. */
    codeHash: p.string().length(64),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'recovery_codes_user_index', properties: ['user'] }],
  uniques: [{ name: 'recovery_codes_user_hash_unique', properties: ['user', 'codeHash'] }],
});

export class RecoveryCode extends RecoveryCodeSchema.class {}
RecoveryCodeSchema.setClass(RecoveryCode);
