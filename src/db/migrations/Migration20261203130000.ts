import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions: one row per signed-in device and the hashes of its
 * refresh tokens. Idempotent like the first migration. `users.session_version`
 * stays: tokens no longer carry it, but keeping the column lets a deployment
 * roll back to a release without sessions without a schema change.
 */
export class Migration20261203130000 extends Migration {
  override name = 'Migration20261203130000';

  override up(): void {
    this.addSql(`create table if not exists "sessions" ("id" varchar(36) not null, "user_id" int not null,
      "created_at" timestamptz not null default now(), "last_active_at" timestamptz not null default now(),
      "expires_at" timestamptz not null, "ip_address" varchar(45) null, "user_agent" varchar(512) null,
      "revoked_at" timestamptz null, "revoked_reason" varchar(40) null, "generation" int not null default 0,
      primary key ("id"),
      constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade);`);
    this.addSql(`create index if not exists "sessions_user_id_last_active_at_index" on "sessions" ("user_id", "last_active_at");`);
    this.addSql(`create table if not exists "refresh_tokens" ("token_hash" varchar(64) not null, "session_id" varchar(36) not null,
      "created_at" timestamptz not null default now(), "used_at" timestamptz null,
      primary key ("token_hash"),
      constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade);`);
    this.addSql(`create index if not exists "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`);
  }
}
