import { Migration } from '@mikro-orm/migrations';

/**
 * Drops `users.session_version`, the account-wide token version of the first
 * sessions design. Tokens name a session instead and nothing reads or writes
 * the column any more. `down` restores it with its old default.
 */
export class Migration20261222100000 extends Migration {
  override name = 'Migration20261222100000';

  override up(): void {
    this.addSql(`alter table "users" drop column if exists "session_version";`);
  }

  override down(): void {
    this.addSql(`alter table "users" add column if not exists "session_version" int not null default 0;`);
  }
}
