import type { Db } from '../db/orm.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { SessionClient } from '../events/client.ts';
import type { User } from '../users/user.entity.ts';
import type { ReservedCheck } from './password-check.ts';

export interface FailedCheck {
  user: Pick<User, 'id' | 'email'>;
  check: ReservedCheck;
  kind: 'SIGN_IN_FAILED' | 'PASSWORD_CHANGE_FAILED' | 'SECOND_FACTOR_FAILED';
  client: SessionClient;
  sessionId?: string | null;
}

/**
 * A wrong password: the count's update and its event commit together; the
 * check that starts a block also records ACCOUNT_LOCKED (one that revokes a
 * session records SESSION_REVOKED through the session service).
 */
export async function recordFailedCheck(events: SecurityEvents, db: Db, failure: FailedCheck): Promise<void> {
  const { user, check, kind, client, sessionId = null } = failure;
  await events.transactional(db, async (tx) => {
    await events.record(tx, { user, kind, client, sessionId });
    if ((await check.failed(tx)) === 'account-locked') await events.record(tx, { user, kind: 'ACCOUNT_LOCKED', client, sessionId });
  });
}
