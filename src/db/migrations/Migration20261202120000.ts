import { Migration } from '@mikro-orm/migrations';

/** The start of the current streak of failed checks: failures older than LOCKOUT_WINDOW no longer count. */
export class Migration20261202120000 extends Migration {
  override name = 'Migration20261202120000';

  override up(): void {
    this.addSql(`alter table "users" add column if not exists "failures_since" timestamptz null;`);
  }
}
