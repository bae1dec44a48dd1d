import { Migration } from '@mikro-orm/migrations';

/**
 * The security event kinds and account-token purposes of round 3 together:
 * the features that added some (the email address, the admin CLI, the second
 * factor, importing users) each rewrote these checks with their own list, so
 * whichever ran last would refuse the others' rows. This one lists them all;
 * it runs after them.
 */
export class Migration20261231235900 extends Migration {
  override name = 'Migration20261231235900';

  override up(): void {
    this.addSql(`alter table "security_events" drop constraint if exists "security_events_kind_check";`);
    this.addSql(
      `alter table "security_events" add constraint "security_events_kind_check" check ("kind" in ('SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED', 'PASSWORD_CHANGED', 'PASSWORD_CHANGE_FAILED', 'SESSION_REVOKED', 'SIGNED_OUT', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_LOCKED', 'PASSWORD_RESET_REQUESTED', 'PASSWORD_RESET', 'ACCOUNT_SECURED', 'EMAIL_VERIFICATION_REQUESTED', 'EMAIL_VERIFIED', 'EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED', 'ACCOUNT_DELETED', 'ADMIN_PASSWORD_SET', 'ADMIN_SESSIONS_REVOKED', 'ADMIN_ACCOUNT_UNLOCKED', 'ADMIN_ACCOUNT_DISABLED', 'ADMIN_ACCOUNT_ENABLED', 'SECOND_FACTOR_ENABLED', 'SECOND_FACTOR_DISABLED', 'SECOND_FACTOR_FAILED', 'RECOVERY_CODE_USED', 'ACCOUNT_IMPORTED'));`,
    );
    this.addSql(`alter table "account_tokens" drop constraint if exists "account_tokens_purpose_check";`);
    this.addSql(`alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('secure_account', 'password_reset', 'email_verification', 'email_change', 'second_factor_challenge'));`);
  }

  override down(): void {
    // The checks of the migrations before this one are theirs to restore; this one only widened the list.
  }
}
