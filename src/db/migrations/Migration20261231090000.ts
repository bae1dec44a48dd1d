import { Migration } from '@mikro-orm/migrations';

const KINDS_BEFORE = `'SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED'`;
const SECOND_FACTOR_KINDS = `'SECOND_FACTOR_ENABLED', 'SECOND_FACTOR_DISABLED', 'SECOND_FACTOR_FAILED', 'RECOVERY_CODE_USED'`;

/**
 * The second factor (docs/api/second-factor.md): `totp_factors` (one
 * encrypted secret per account, the last step used), `recovery_codes` (keyed
 * hashes, single use), the sign-in challenge as a purpose of
 * `account_tokens`, and the events of the second factor.
 */
export class Migration20261231090000 extends Migration {
  override name = 'Migration20261231090000';

  override up(): void {
    this.addSql(`create table "totp_factors" ("user_id" int not null, "secret_ciphertext" text not null, "confirmed_at" timestamptz null, "last_used_step" bigint null, "created_at" timestamptz not null default now(), primary key ("user_id"));`);
    this.addSql(`alter table "totp_factors" add constraint "totp_factors_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`create table "recovery_codes" ("id" uuid not null, "user_id" int not null, "code_hash" varchar(64) not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`create index "recovery_codes_user_index" on "recovery_codes" ("user_id");`);
    this.addSql(`alter table "recovery_codes" add constraint "recovery_codes_user_hash_unique" unique ("user_id", "code_hash");`);
    this.addSql(`alter table "recovery_codes" add constraint "recovery_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_BEFORE}, ${SECOND_FACTOR_KINDS}));`);
    this.addSql(`alter table "account_tokens" drop constraint if exists "account_tokens_purpose_check";`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset', 'second_factor_challenge'));`);
  }

  override down(): void {
    this.addSql(`delete from "account_tokens" where "purpose" = 'second_factor_challenge';`);
    this.addSql(`alter table "account_tokens" drop constraint if exists "account_tokens_purpose_check";`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset'));`);
    this.addSql(`delete from "security_events" where "kind" in (${SECOND_FACTOR_KINDS});`);
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in (${KINDS_BEFORE}));`);
    this.addSql(`drop table if exists "recovery_codes";`);
    this.addSql(`drop table if exists "totp_factors";`);
  }
}
