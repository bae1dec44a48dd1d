import { defineEntity, p } from '@mikro-orm/core';

/**
 * An account. Table and the `email` / `password` columns match the original
 * change-password workflow's `users` table, so such a table can be adopted.
 */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Trimmed and lower-cased before it is stored. */
    email: p.string().length(254).unique(),
    /** The bcrypt hash; never serialised. */
    password: p.string().length(255).hidden(),
    /** True when Rekey wrote the hash (from the NFC form); adopted hashes may come from raw input. */
    passwordNormalized: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()).defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date())
      .defaultRaw('now()'),
    passwordChangedAt: p.datetime().nullable(),
    /** Consecutive failed password checks (NIST SP 800-63B throttling). */
    failedPasswordChecks: p.integer().default(0),
    /** How many times the account has been blocked since its last success. */
    lockouts: p.integer().default(0),
    lockedUntil: p.datetime().nullable(),
    /** When the current streak of failed checks began; failures older than LOCKOUT_WINDOW no longer count. */
    failuresSince: p.datetime().nullable(),
    /**
     * Tokens from the original login (LEGACY_JWT_SECRET) issued at or before this are void: set by every
     * revocation, and just before its creation on a row Rekey inserts (user.repository.ts). Null: an
     * adopted row that never revoked anything.
     */
    legacyTokensValidAfter: p.datetime().nullable(),
    /**
     * Whether the owner proved control of `email` (a verification link, a
     * confirmed change of address, a completed reset). Rows Rekey did not
     * create (an adopted table, an import) count as verified: they came from
     * a system that had the address. Sign-up writes false.
     */
    emailVerified: p.boolean().default(true),
    /** Set by an operator (`users disable`): no sign-in until `users enable` clears it; null: enabled. */
    disabledAt: p.datetime().nullable(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
