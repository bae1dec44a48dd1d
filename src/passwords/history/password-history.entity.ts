import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../../users/user.entity.ts';

/**
 * A password an account had before its current one (PASSWORD_HISTORY). The
 * current hash stays in `users.password`; with this table's newest N - 1 rows
 * that makes the last N passwords.
 */
export const PasswordHistoryEntrySchema = defineEntity({
  name: 'PasswordHistoryEntry',
  tableName: 'password_history',
  properties: {
    id: p.integer().primary().autoincrement(),
    user: p.manyToOne(User).deleteRule('cascade'),
    /** The bcrypt hash the account had; never serialised. */
    passwordHash: p.string().length(255).hidden(),
    replacedAt: p.datetime().onCreate(() => new Date()).defaultRaw('now()'),
  },
  // "The newest rows of one account" is the only query.
  indexes: [{ name: 'password_history_user_id_id_index', properties: ['user', 'id'] }],
});

export class PasswordHistoryEntry extends PasswordHistoryEntrySchema.class {}
PasswordHistoryEntrySchema.setClass(PasswordHistoryEntry);
