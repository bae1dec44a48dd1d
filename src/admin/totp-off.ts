import type { Db } from '../db/orm.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import { AccountNotFoundError } from '../identity/account-administration.ts';
import { turnOff } from '../second-factor/totp-enrollment.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { UserRepository } from '../users/user.repository.ts';

/** How the operator appears in security events: no address, a recognisable agent. */
const OPERATOR = { address: 'unknown', userAgent: 'rekey admin CLI' } as const;

/**
 * `totp-off <email>`: for an owner who lost the authenticator and every
 * recovery code. TOTP and the recovery codes go; SECOND_FACTOR_DISABLED is
 * recorded and notified (email with the "This wasn't me" link, webhook), so
 * an operator tricked into it is seen. Sessions are left alone.
 */
export async function turnOffTotp(db: Db, events: SecurityEvents, emailInput: string): Promise<string> {
  const email = normalizeEmail(emailInput);
  const user = await new UserRepository(db).findByEmail(email);
  if (user === null) throw new AccountNotFoundError(email);
  const removed = await turnOff({ events }, db, user, { client: OPERATOR, sessionId: null });
  return removed
    ? `Two-step verification is off for ${email}; the owner is notified (SECOND_FACTOR_DISABLED).`
    : `${email} had no two-step verification on; nothing changed.`;
}
