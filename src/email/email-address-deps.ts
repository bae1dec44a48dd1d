import type { EmailAddressSettings } from '../events/notifications-config.ts';
import type { EmailIntent } from '../events/security-events.ts';

/** What the address's flows need to know of the configuration (docs/api/email-address.md). */
export interface EmailAddressDeps extends EmailAddressSettings {
  /** Verification emails can be sent (SMTP_URL and EMAIL_VERIFICATION_URL). */
  sendsVerification: boolean;
  /** Change-of-address links can be sent (SMTP_URL and EMAIL_CHANGE_URL). */
  sendsChangeLinks: boolean;
}

/** The verification email for `email`, when verification is on and can be sent; none otherwise. */
export function verificationEmails(settings: EmailAddressDeps, email: string): EmailIntent[] {
  return settings.verification !== 'off' && settings.sendsVerification ? [{ template: 'email-verification', to: email }] : [];
}
