import type { Db } from '../db/orm.ts';
import type { SecurityEventKind } from '../events/security-event-kind.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';
import type { SessionClient } from '../events/client.ts';
import { SessionRepository, type RevocationReason } from './session.repository.ts';
import type { SessionSettings } from './session-settings.ts';

/** Which event each reason for ending a session records. */
const REVOCATION_EVENT: Record<RevocationReason, SecurityEventKind> = {
  signed_out: 'SIGNED_OUT',
  signed_out_everywhere: 'SIGNED_OUT',
  revoked: 'SESSION_REVOKED',
  password_changed: 'SESSION_REVOKED',
  session_limit: 'SESSION_REVOKED',
  refresh_token_reused: 'REFRESH_TOKEN_REUSED',
  admin: 'SESSION_REVOKED',
  password_reset: 'SESSION_REVOKED',
  account_secured: 'SESSION_REVOKED',
  password_failures: 'SESSION_REVOKED',
};

export interface RevocationDeps {
  events: SecurityEvents;
  sessions: Pick<SessionSettings, 'idleTimeoutMs'>;
}

/** Who a revocation is recorded for, why, and from where. */
interface Revocation {
  user: Pick<User, 'id' | 'email'>;
  reason: RevocationReason;
  client: SessionClient;
}

export interface RevokeEverywhereOptions {
  /** The session that stays (a password change's own). */
  exceptId?: string | null;
  /** Tokens of the original login die too (a password replacement already voids them in its own statement). */
  voidLegacyTokens?: boolean;
  /** Record one event from this session instead of one per ended session ("sign out everywhere"). */
  recordFor?: string;
}

/**
 * The one "revoke everything" (sign out everywhere, a password change, reset
 * or "This wasn't me", the admin CLI): every session of the account but
 * `exceptId` ends and every trusted device token is voided (a device signs in
 * afresh), on every instance at once. Runs on the caller's transaction, so
 * its events commit with the change that caused it. Returns how many
 * sessions ended.
 */
export async function revokeEverywhere(tx: Db, deps: RevocationDeps, revocation: Revocation & RevokeEverywhereOptions): Promise<number> {
  const { user, reason, client, exceptId = null, voidLegacyTokens = false, recordFor } = revocation;
  const ended = await new SessionRepository(tx, deps.sessions.idleTimeoutMs).revokeAllOfWithDevices(user.id, reason, 'sessions_revoked', exceptId);
  // "Everywhere" includes tokens of the original login.
  if (voidLegacyTokens || recordFor !== undefined) await new UserRepository(tx).voidLegacyTokens(user.id);
  const recorded = recordFor === undefined ? ended : ended.length > 0 ? [recordFor] : [];
  await recordRevocations(tx, deps.events, { user, sessionIds: recorded, reason, client });
  return ended.length;
}

/** Every revocation is recorded here, on the EntityManager of the transaction that revoked (one event per ended session). */
export async function recordRevocations(db: Db, events: SecurityEvents, revocation: Revocation & { sessionIds: string[] }): Promise<void> {
  const { user, sessionIds, reason, client } = revocation;
  for (const sessionId of sessionIds) await events.record(db, { user, kind: REVOCATION_EVENT[reason], client, sessionId });
}
