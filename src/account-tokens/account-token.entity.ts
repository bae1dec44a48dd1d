import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

export const ACCOUNT_TOKEN_PURPOSES = ['secure_account', 'password_reset', 'email_verification', 'email_change', 'second_factor_challenge'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * A single-use token sent by email (the "This wasn't me" link, a password
 * reset link, an address's verification or change link). Only the SHA-256 of the token is stored; the token itself
 * exists only in the email that carries it.
 */
export const AccountTokenSchema = defineEntity({
  name: 'AccountToken',
  tableName: 'account_tokens',
  properties: {
    id: p.uuid().primary(),
    user: p.manyToOne(User).deleteRule('cascade'),
    purpose: p.enum(ACCOUNT_TOKEN_PURPOSES),
    /** Hex SHA-256 of the token (>= 256 random bits, so a plain hash is enough). */
    tokenHash: p.string().length(64).unique(),
    /**
     * The address the token is about: the one to verify, the new one of a
     * change, or (on a "This wasn't me" link sent with a change request) the
     * old one to go back to. Null for the other links.
     */
    email: p.string().length(254).nullable(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [{ name: 'account_tokens_user_purpose_index', properties: ['user', 'purpose'] }],
});

export class AccountToken extends AccountTokenSchema.class {}
AccountTokenSchema.setClass(AccountToken);
