import { Migration } from '@mikro-orm/migrations';

/**
 * The security event kinds of round 3 together: the features that added
 * kinds (the email address, the admin CLI, the second factor, importing users)
 * each rewrote this check with their own list, so whichever ran last would
 * refuse the others' events. This one lists them all; it runs after them.
 */
export class Migration20261231235900 extends Migration {
  override name = 'Migration20261231235900';

  override up(): void {
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_kind_check" check ("kind" in ('SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED', 'EMAIL_VERIFICATION_REQUESTED', 'EMAIL_VERIFIED', 'EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED', 'ACCOUNT_DELETED', 'ADMIN_PASSWORD_SET', 'ADMIN_SESSIONS_REVOKED', 'ADMIN_ACCOUNT_UNLOCKED', 'ADMIN_ACCOUNT_DISABLED', 'ADMIN_ACCOUNT_ENABLED'));`,
    );
  }

  override down(): void {
    // The checks of the migrations before this one are theirs to restore; this one only widened the list.
  }
}
