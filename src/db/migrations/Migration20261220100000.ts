import { Migration } from '@mikro-orm/migrations';

/**
 * Device tokens (a row per trusted device; the token itself is signed, not
 * stored) and the per-session count of wrong current passwords in changePassword.
 */
export class Migration20261220100000 extends Migration {
  override name = 'Migration20261220100000';

  override up(): void {
    this.addSql(`create table "device_tokens" ("id" uuid not null, "user_id" int not null, "created_at" timestamptz not null default now(), "last_used_at" timestamptz not null default now(), "expires_at" timestamptz not null, "failed_sign_ins" int not null default 0, "voided_at" timestamptz null, "voided_reason" varchar(40) null, primary key ("id"));`);
    this.addSql(`create index "device_tokens_user_id_last_used_at_index" on "device_tokens" ("user_id", "last_used_at");`);
    this.addSql(`alter table "device_tokens" add constraint "device_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "sessions" add column "failed_password_checks" int not null default 0;`);
  }

  override down(): void {
    this.addSql(`alter table "sessions" drop column if exists "failed_password_checks";`);
    this.addSql(`drop table if exists "device_tokens" cascade;`);
  }
}
