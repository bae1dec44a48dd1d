import { Migration } from '@mikro-orm/migrations';

/**
 * Tokens from the original login workflow (LEGACY_JWT_SECRET) issued at or
 * before this instant are refused: set by the account's password change,
 * reset, sign-out everywhere and secureAccount. Null: never revoked.
 * Idempotent like the first migration, for adopted tables.
 */
export class Migration20261213120000 extends Migration {
  override name = 'Migration20261213120000';

  override up(): void {
    this.addSql(`alter table "users" add column if not exists "legacy_tokens_valid_after" timestamptz null;`);
  }

  override down(): void {
    this.addSql(`alter table "users" drop column if exists "legacy_tokens_valid_after";`);
  }
}
