import { Migration } from '@mikro-orm/migrations';

/**
 * `signing_keys`: the ES256 key pairs every instance signs access tokens
 * with (round 3). The private half is stored sealed with SERVER_SECRET;
 * `sequence` is unique so two instances cannot both make the first key.
 */
export class Migration20261230120000 extends Migration {
  override name = 'Migration20261230120000';

  override up(): void {
    this.addSql(`create table if not exists "signing_keys" (
      "kid" varchar(64) not null,
      "sequence" int not null,
      "algorithm" varchar(16) not null,
      "public_jwk" jsonb not null,
      "sealed_private_key" text not null,
      "created_at" timestamptz not null default now(),
      "activates_at" timestamptz not null,
      primary key ("kid"));`);
    this.addSql(`alter table "signing_keys" add constraint "signing_keys_sequence_unique" unique ("sequence");`);
  }

  override down(): void {
    this.addSql(`drop table if exists "signing_keys" cascade;`);
  }
}
