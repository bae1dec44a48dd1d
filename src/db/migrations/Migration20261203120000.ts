import { Migration } from '@mikro-orm/migrations';

/**
 * Security events (append-only audit trail), the transactional outbox that
 * delivers their notifications, and single-use account tokens for email links.
 */
export class Migration20261203120000 extends Migration {
  override name = 'Migration20261203120000';

  override up(): void {
    this.addSql(`create table "security_events" ("id" uuid not null, "seq" bigserial, "user_id" int not null, "kind" text not null, "occurred_at" timestamptz not null default now(), "ip_address" varchar(64) null, "user_agent" varchar(512) null, "session_id" varchar(64) null, primary key ("id"));`);
    this.addSql(`alter table "security_events" add constraint "security_events_seq_unique" unique ("seq");`);
    this.addSql(`create index "security_events_user_seq_index" on "security_events" ("user_id", "seq");`);
    this.addSql(`create index "security_events_occurred_at_index" on "security_events" ("occurred_at");`);
    this.addSql(`create table "outbox" ("id" uuid not null, "event_id" uuid not null, "channel" text not null, "payload" jsonb not null, "state" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "claimed_by" varchar(64) null, "claimed_until" timestamptz null, "last_error" varchar(500) null, "created_at" timestamptz not null default now(), "delivered_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "outbox_event_id_index" on "outbox" ("event_id");`);
    this.addSql(`create index "outbox_due_index" on "outbox" ("next_attempt_at") where "state" = 'pending';`);
    this.addSql(`create table "account_tokens" ("id" uuid not null, "user_id" int not null, "purpose" text not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null default now(), primary key ("id"));`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "account_tokens_user_purpose_index" on "account_tokens" ("user_id", "purpose");`);
    this.addSql(`alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in ('SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED'));`);
    this.addSql(`alter table "outbox" add constraint "outbox_event_id_foreign" foreign key ("event_id") references "security_events" ("id") on delete cascade;`);
    this.addSql(`alter table "outbox" add constraint "outbox_channel_check" check ("channel" in ('webhook', 'email'));`);
    this.addSql(`alter table "outbox" add constraint "outbox_state_check" check ("state" in ('pending', 'done', 'dead'));`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset'));`);
  }
}
