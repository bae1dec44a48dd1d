import { Migration } from '@mikro-orm/migrations';

/** PASSWORD_HISTORY: the hashes an account had before its current one. */
export class Migration20261205120000 extends Migration {
  override name = 'Migration20261205120000';

  override up(): void {
    this.addSql(`create table "password_history" ("id" serial primary key, "user_id" int not null, "password_hash" varchar(255) not null, "replaced_at" timestamptz not null default now());`);
    this.addSql(`create index "password_history_user_id_id_index" on "password_history" ("user_id", "id");`);
    this.addSql(`alter table "password_history" add constraint "password_history_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void {
    this.addSql(`drop table if exists "password_history" cascade;`);
  }
}
