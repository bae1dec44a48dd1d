import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';

/** A user agent is stored for display only; longer values are cut to this many characters. */
export const MAX_USER_AGENT_LENGTH = 512;

/**
 * One signed-in device: started by signUp or signIn, ended by revocation,
 * its absolute expiry or idleness. Access tokens name it (`sid`) and its
 * generation (`gen`); raising the generation kills the session's older
 * access tokens without ending the session.
 */
export const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    /** A random UUID, as text. */
    id: p.string().length(36).primary(),
    user: p.manyToOne(User).deleteRule('cascade'),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Set at the start and by every refresh (and renewal); the idle timeout counts from here. */
    lastActiveAt: p.datetime().defaultRaw('now()'),
    /** The absolute end: creation + SESSION_TTL. */
    expiresAt: p.datetime(),
    ipAddress: p.string().length(45).nullable(),
    userAgent: p.string().length(MAX_USER_AGENT_LENGTH).nullable(),
    revokedAt: p.datetime().nullable(),
    /** Why it ended: signed_out, revoked, password_changed, refresh_token_reused, session_limit… */
    revokedReason: p.string().length(40).nullable(),
    generation: p.integer().default(0),
    /** Wrong current passwords in a row in changePassword (counted before each check); SESSION_FAILURE_LIMIT revokes the session. */
    failedPasswordChecks: p.integer().default(0),
  },
  // Not on lastActiveAt too: touching a session must stay a heap-only update (Migration20261221100000).
  indexes: [{ properties: ['user'] }],
});

export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);
