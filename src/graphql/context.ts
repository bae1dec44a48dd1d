import type { AccountService, Client } from '../accounts/account-service.ts';
import type { PasswordPolicy } from '../accounts/password-policy.ts';
import type { User } from '../accounts/user.entity.ts';

/** Built fresh for every request (Pothos caches per context object). */
export interface GraphQLContext {
  /** The signed-in account, or null for a missing, invalid, expired or revoked token. */
  viewer: User | null;
  accounts: AccountService;
  policy: PasswordPolicy;
  client: Client;
}
