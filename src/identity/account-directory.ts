import type { Db } from '../db/orm.ts';
import { SessionRepository } from '../sessions/session.repository.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository, type UserListFilter } from '../users/user.repository.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { AccountNotFoundError } from './account-not-found-error.ts';
import { TotpFactorRepository } from '../second-factor/totp-factor.repository.ts';

/** An account as an operator sees it: never its hash, never a token. */
export interface AccountSummary {
  id: number;
  email: string;
  createdAt: Date;
  disabledAt: Date | null;
  /** Blocked by consecutive failed password checks until this time (null: not blocked). */
  lockedUntil: Date | null;
}

export interface AccountDetails extends AccountSummary {
  updatedAt: Date;
  passwordChangedAt: Date | null;
  failedPasswordChecks: number;
  activeSessions: number;
  /** Two-step verification (TOTP) is on. */
  totp: boolean;
}

export interface AccountPage {
  accounts: AccountSummary[];
  /** Pass as `afterId` for the next page; null on the last one. */
  nextAfterId: number | null;
}

function summary(user: User): AccountSummary {
  const now = new Date();
  const lockedUntil = user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil > now ? user.lockedUntil : null;
  return { id: user.id, email: user.email, createdAt: user.createdAt, disabledAt: user.disabledAt ?? null, lockedUntil };
}

/** Read-only views of accounts for operators (the admin CLI's `users list` and `users show`). */
export class AccountDirectory {
  readonly #db: Db;
  readonly #idleTimeoutMs: number;

  constructor(db: Db, idleTimeoutMs: number) {
    this.#db = db;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  async list(filter: Omit<UserListFilter, 'emailContains'> & { emailContains: string | null }): Promise<AccountPage> {
    const emailContains = filter.emailContains === null ? null : filter.emailContains.trim().toLowerCase();
    // One more row than asked tells whether a next page exists.
    const users = await new UserRepository(this.#db).listPage({ ...filter, emailContains, limit: filter.limit + 1 });
    const page = users.slice(0, filter.limit);
    return { accounts: page.map(summary), nextAfterId: users.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async show(emailInput: string): Promise<AccountDetails> {
    const email = normalizeEmail(emailInput);
    const user = await new UserRepository(this.#db).findByEmail(email);
    if (user === null) throw new AccountNotFoundError(email);
    const sessions = await new SessionRepository(this.#db, this.#idleTimeoutMs).listActive(user.id);
    return {
      ...summary(user),
      updatedAt: user.updatedAt,
      passwordChangedAt: user.passwordChangedAt ?? null,
      failedPasswordChecks: user.failedPasswordChecks,
      activeSessions: sessions.length,
      totp: await new TotpFactorRepository(this.#db).isConfirmed(user.id),
    };
  }
}
