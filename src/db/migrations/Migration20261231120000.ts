import { Migration } from '@mikro-orm/migrations';

/** ACCOUNT_IMPORTED: an account brought from another system by `npm run admin -- import`. */
export class Migration20261231120000 extends Migration {
  override name = 'Migration20261231120000';

  override up(): void {
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(`alter table "security_events" add constraint "security_events_kind_check" check ("kind" in ('SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED', 'ACCOUNT_IMPORTED'));`);
  }
}
