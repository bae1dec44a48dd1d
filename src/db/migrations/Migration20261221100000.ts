import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions are found by account through `user_id` alone: with
 * `last_active_at` in the index, every touch of a session (each refresh and
 * authenticated check that extends it) changed an indexed column, so none
 * could be a heap-only update and each added entries to both of the table's
 * indexes. An account's sessions (at most MAX_SESSIONS_PER_USER live) are
 * few enough to sort after the lookup.
 */
export class Migration20261221100000 extends Migration {
  override name = 'Migration20261221100000';

  override up(): void {
    this.addSql(`create index if not exists "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`drop index if exists "sessions_user_id_last_active_at_index";`);
  }

  override down(): void {
    this.addSql(`create index if not exists "sessions_user_id_last_active_at_index" on "sessions" ("user_id", "last_active_at");`);
    this.addSql(`drop index if exists "sessions_user_id_index";`);
  }
}
