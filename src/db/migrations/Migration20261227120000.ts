import { Migration } from '@mikro-orm/migrations';

/**
 * `refresh_tokens.successor`: the token a spent one was traded for, sealed
 * with a key only the spent token yields, so a replay within the reuse grace
 * is answered with the same successor instead of starting a second chain
 * (docs/design/sessions.md). Tokens spent before it have none.
 */
export class Migration20261227120000 extends Migration {
  override name = 'Migration20261227120000';

  override up(): void {
    this.addSql(`alter table "refresh_tokens" add column if not exists "successor" text null;`);
  }

  override down(): void {
    this.addSql(`alter table "refresh_tokens" drop column if exists "successor";`);
  }
}
