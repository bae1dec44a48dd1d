import type { ReservedCheck } from '../lockout/password-check.ts';
import type { SessionClient } from '../events/client.ts';
import type { SessionService } from './session-service.ts';
import type { User } from '../users/user.entity.ts';

/**
 * changePassword's wrong current passwords count against the session that
 * sends them (SESSION_FAILURE_LIMIT in a row revoke it), not against
 * the account: a stolen token gets that many guesses in all, and a block
 * caused by sign-in failures elsewhere never stops a valid session's change.
 * Null when the session has ended (or has no check left): the caller is told
 * its session is invalid.
 */
export async function reserveSessionCheck(
  sessions: SessionService,
  user: Pick<User, 'id' | 'email'>,
  current: { sessionId: string; generation: number },
  client: SessionClient,
): Promise<ReservedCheck | null> {
  const reserved = await sessions.reservePasswordCheck(current.sessionId, current.generation);
  if (reserved === null) return null;
  return {
    async failed(tx) {
      if (!reserved.last) return 'none';
      return (await sessions.on(tx).revokeAfterPasswordFailures(user, current.sessionId, client)) ? 'session-revoked' : 'none';
    },
    succeeded: (db) => sessions.on(db).clearPasswordFailures(current.sessionId),
  };
}
