import type { PasswordPolicyDescription } from '../../passwords/password-policy.ts';
import { builder } from '../builder.ts';
import { PasswordRuleEnum } from './errors.ts';

const PasswordPolicyType = builder.objectRef<PasswordPolicyDescription>('PasswordPolicy').implement({
  description: 'The password rules in force, so a UI can show them before the user submits.',
  fields: (t) => ({
    name: t.exposeString('name', { description: '`standard`, or `nist` (NIST SP 800-63B-4).' }),
    minLength: t.exposeInt('minLength', { description: 'Minimum length in characters.' }),
    maxBytes: t.exposeInt('maxBytes', { description: 'Maximum length in bytes of UTF-8 (bcrypt reads no more).' }),
    requireUppercase: t.exposeBoolean('requireUppercase'),
    requireLowercase: t.exposeBoolean('requireLowercase'),
    requireDigit: t.exposeBoolean('requireDigit'),
    requireSpecial: t.exposeBoolean('requireSpecial', { description: 'Any character that is neither a letter nor a digit counts.' }),
    rejectCommon: t.exposeBoolean('rejectCommon', { description: 'Common passwords (case-insensitive) are refused.' }),
    rejectEmail: t.exposeBoolean('rejectEmail', { description: "Passwords containing the email's local part are refused." }),
    rejectBreached: t.exposeBoolean('rejectBreached', {
      description: 'New passwords found in a breach corpus are refused (rule BREACHED); only a 5-character hash prefix ever leaves the server.',
    }),
    history: t.exposeInt('history', {
      description: 'A new password must differ from this many latest passwords, the current one included (0: only the current one).',
    }),
    rules: t.field({ type: [PasswordRuleEnum], resolve: (policy) => policy.rules }),
  }),
});

builder.queryField('passwordPolicy', (t) =>
  t.field({ type: PasswordPolicyType, resolve: (_root, _args, { policy }) => policy.description }),
);
