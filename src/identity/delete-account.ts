import type { Db } from '../db/orm.ts';
import type { SessionClient } from '../events/client.ts';
import { OutboxRepository } from '../events/outbox.repository.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { Authentication } from '../sessions/authentication.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';
import { verifyCaller, type CallerCredentials, type VerifyCallerDeps } from '../passwords/verify-caller.ts';

export const ACCOUNT_DELETED_MESSAGE = 'Your account was deleted.';

export interface AccountDeleted {
  success: true;
  message: typeof ACCOUNT_DELETED_MESSAGE;
}

/**
 * Deletes an account (docs/api/email-address.md#deleting-an-account), for
 * deleteAccount and the admin CLI alike, in one transaction: ACCOUNT_DELETED
 * is recorded with its goodbye email; every other outbox message of the
 * account, delivered or not, is dropped (their payloads hold the address);
 * the account row goes, and with it (foreign keys) its sessions, refresh
 * tokens, device tokens, emailed links and password history. Its security
 * events stay, without the account, until SECURITY_EVENT_RETENTION. Every
 * token of the account is dead once this commits. False when it was gone already.
 */
export async function removeAccount(db: Db, events: SecurityEvents, user: Pick<User, 'id' | 'email'>, client: SessionClient): Promise<boolean> {
  return events.transactional(db, async (tx) => {
    const users = new UserRepository(tx);
    // Two deletions at once: the second waits here, then finds nothing to do.
    if (!(await users.lock(user.id))) return false;
    const eventId = await events.record(tx, { user, kind: 'ACCOUNT_DELETED', client, emails: [{ template: 'account-deleted', to: user.email }] });
    await new OutboxRepository(tx).dropForAccount(user.id, eventId);
    return users.delete(user.id);
  });
}

/** deleteAccount: the caller's password (and second factor), then removeAccount. */
export async function deleteOwnAccount(
  db: Db,
  deps: VerifyCallerDeps,
  sessions: SessionService,
  auth: Authentication,
  credentials: CallerCredentials,
  client: SessionClient & { beginWrite?: () => void },
): Promise<AccountDeleted> {
  const { user } = await verifyCaller(db, deps, sessions, auth, credentials, client);
  client.beginWrite?.();
  await removeAccount(db, deps.events, user, client);
  return { success: true, message: ACCOUNT_DELETED_MESSAGE };
}
