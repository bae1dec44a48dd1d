import { defineEntity, p } from '@mikro-orm/core';
import { Session } from './session.entity.ts';

/**
 * A refresh token, stored only as the SHA-256 of its value. Used rows stay
 * until their session is deleted, so a replay is recognised for the
 * session's whole life.
 */
export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    /** Hex SHA-256 of the token. */
    tokenHash: p.string().length(64).primary(),
    session: p.manyToOne(Session).deleteRule('cascade').index(),
    createdAt: p.datetime().defaultRaw('now()'),
    /** When it was traded for a new pair; null while unused. */
    usedAt: p.datetime().nullable(),
    /**
     * The token it was traded for, sealed with a key derived from this token
     * (refresh-token-secret.ts): a replay within the grace gets that same
     * successor, so the session stays one chain. Null while unused.
     */
    successor: p.text().nullable(),
  },
});

export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
