import { Migration } from '@mikro-orm/migrations';

/**
 * Creates `users`, or adopts an existing one from the original
 * change-password workflow (which has at least `id`, `email` and `password`):
 * every statement is written to be a no-op for what is already there.
 */
export class Migration20261123180824 extends Migration {
  override name = 'Migration20261123180824';

  override up(): void {
    this.addSql(`create table if not exists "users" ("id" serial primary key, "email" varchar(254) not null, "password" varchar(255) not null);`);
    this.addSql(`alter table "users"
      add column if not exists "created_at" timestamptz not null default now(),
      add column if not exists "updated_at" timestamptz not null default now(),
      add column if not exists "password_changed_at" timestamptz null,
      add column if not exists "session_version" int not null default 0,
      add column if not exists "failed_password_checks" int not null default 0,
      add column if not exists "lockouts" int not null default 0,
      add column if not exists "locked_until" timestamptz null;`);
    this.addSql(`do $$ begin
      if not exists (select 1 from pg_constraint where conname = 'users_email_unique') then
        alter table "users" add constraint "users_email_unique" unique ("email");
      end if;
    end $$;`);
  }
}
