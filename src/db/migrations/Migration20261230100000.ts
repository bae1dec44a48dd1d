import { Migration } from '@mikro-orm/migrations';

const KINDS_BEFORE = `'SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED'`;
const ADMIN_KINDS = `'ADMIN_PASSWORD_SET', 'ADMIN_SESSIONS_REVOKED', 'ADMIN_ACCOUNT_UNLOCKED', 'ADMIN_ACCOUNT_DISABLED', 'ADMIN_ACCOUNT_ENABLED'`;

/**
 * `users.disabled_at` (an operator's `users disable`: no sign-in until
 * enabled again), and the admin CLI's event kinds, which record the operator.
 */
export class Migration20261230100000 extends Migration {
  override name = 'Migration20261230100000';

  override up(): void {
    this.addSql(`alter table "users" add column if not exists "disabled_at" timestamptz null;`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_BEFORE}, ${ADMIN_KINDS}));`);
  }

  override down(): void {
    this.addSql(`delete from "security_events" where "kind" in (${ADMIN_KINDS});`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_BEFORE}));`);
    this.addSql(`alter table "users" drop column if exists "disabled_at";`);
  }
}
