import { Migration } from '@mikro-orm/migrations';

/**
 * Marks which hashes Rekey wrote (from the NFC form of the password). Rows
 * already there may come from another system that hashed the raw input, so
 * they are adopted as not normalised: for them alone a wrong password is also
 * tried in its raw form.
 */
export class Migration20261202130000 extends Migration {
  override name = 'Migration20261202130000';

  override up(): void {
    this.addSql(`alter table "users" add column if not exists "password_normalized" boolean not null default false;`);
  }
}
