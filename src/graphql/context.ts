import type { AccountService, Client } from '../identity/account-service.ts';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import type { Authentication } from '../sessions/authentication.ts';
import type { SecurityEventRepository } from '../events/security-event-repository.ts';
import type { SessionCookie } from './session-cookie.ts';

/** Built fresh for every request (Pothos caches per context object). */
export interface GraphQLContext {
  /** The bearer token, checked lazily: `await auth.user()` for the signed-in account. */
  auth: Authentication;
  accounts: AccountService;
  policy: PasswordPolicy;
  client: Client;
  /** Read side of the viewer's security events (same EntityManager fork as `accounts`). */
  securityEvents: SecurityEventRepository;
  /** Which session this answer signs in, and (cookie mode) the refresh cookie to set or clear. */
  sessionCookie: SessionCookie;
}
