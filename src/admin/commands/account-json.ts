import type { AccountDetails, AccountSummary } from '../../identity/account-directory.ts';

/** How every command names an account in its --json output. */
export interface AccountRef {
  id: string;
  email: string;
}

export function accountRef(user: { id: number; email: string }): AccountRef {
  return { id: String(user.id), email: user.email };
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** `users list`'s rows and the start of `users show` (docs/operations/admin-cli.md). */
export function accountSummaryJson(account: AccountSummary) {
  return {
    ...accountRef(account),
    createdAt: account.createdAt.toISOString(),
    disabled: account.disabledAt !== null,
    disabledAt: iso(account.disabledAt),
    locked: account.lockedUntil !== null,
    lockedUntil: iso(account.lockedUntil),
  };
}

export function accountDetailsJson(account: AccountDetails) {
  return {
    ...accountSummaryJson(account),
    updatedAt: account.updatedAt.toISOString(),
    passwordChangedAt: iso(account.passwordChangedAt),
    failedPasswordChecks: account.failedPasswordChecks,
    activeSessions: account.activeSessions,
    totp: account.totp,
  };
}

/** One word for a terminal: disabled wins over locked. */
export function accountStatus(account: AccountSummary): 'disabled' | 'locked' | 'active' {
  if (account.disabledAt !== null) return 'disabled';
  return account.lockedUntil !== null ? 'locked' : 'active';
}
