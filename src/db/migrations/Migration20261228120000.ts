import { Migration } from '@mikro-orm/migrations';

const KINDS_BEFORE = `'SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED'`;
const KINDS_AFTER = `${KINDS_BEFORE}, 'EMAIL_VERIFICATION_REQUESTED', 'EMAIL_VERIFIED', 'EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED', 'ACCOUNT_DELETED'`;

/**
 * The email address (docs/api/email-address.md): `users.email_verified`
 * (true for rows that already exist: an adopted or imported account came
 * from a system that had its address; sign-up writes false), the address an
 * emailed token is about, the new token purposes and event kinds, and
 * security events that outlive their deleted account without naming it
 * (`user_id` set null instead of cascading).
 */
export class Migration20261228120000 extends Migration {
  override name = 'Migration20261228120000';

  override up(): void {
    this.addSql(`alter table "users" add column if not exists "email_verified" boolean not null default true;`);
    this.addSql(`alter table "account_tokens" add column if not exists "email" varchar(254) null;`);
    this.addSql(`alter table "account_tokens" drop constraint if exists "account_tokens_purpose_check";`);
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset', 'email_verification', 'email_change'));`,
    );
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_AFTER}));`);
    this.addSql(`alter table "security_events" alter column "user_id" drop not null;`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_user_id_foreign";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
  }

  override down(): void {
    this.addSql(`delete from "security_events" where "user_id" is null or "kind" not in (${KINDS_BEFORE});`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_user_id_foreign";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "security_events" alter column "user_id" set not null;`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_BEFORE}));`);
    this.addSql(`delete from "account_tokens" where "purpose" in ('email_verification', 'email_change');`);
    this.addSql(`alter table "account_tokens" drop constraint if exists "account_tokens_purpose_check";`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset'));`);
    this.addSql(`alter table "account_tokens" drop column if exists "email";`);
    this.addSql(`alter table "users" drop column if exists "email_verified";`);
  }
}
