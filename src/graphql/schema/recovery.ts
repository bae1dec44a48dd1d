import type { AccountSecured, PasswordReset, ResetRequested } from '../../recovery/recovery-service.ts';
import { PasswordReusedError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { WeakPasswordError } from '../../passwords/weak-password-error.ts';
import { InvalidResetTokenError } from '../../recovery/invalid-reset-token-error.ts';
import { builder } from '../builder.ts';
import { emailSchema, passwordSchema, SECOND_FACTOR_CODE_DESCRIPTION, secondFactorCodeSchema } from './inputs.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../second-factor/second-factor-errors.ts';

// Password reset and "This wasn't me" (see docs/api/reset-and-recovery.md).
// The tokens come from emailed links; they are never checked here (an
// unusable one is InvalidResetTokenError, from the domain), so SecureAccountResult
// needs no ValidationError.

const RequestPasswordResetSuccess = builder.objectRef<ResetRequested>('RequestPasswordResetSuccess').implement({
  description: 'The same answer whether or not the email has an account.',
  fields: (t) => ({ success: t.exposeBoolean('success'), message: t.exposeString('message') }),
});

const DEVICE_TOKEN_DESCRIPTION =
  "This device is trusted from now on: present the token as `SignInInput.deviceToken` at its next sign-in, which attacks on the account then cannot refuse. Null in cookie mode, where it is the HttpOnly `rekey_device` cookie.";

const ResetPasswordSuccess = builder.objectRef<PasswordReset>('ResetPasswordSuccess').implement({
  description: 'The password is replaced and every session ended; no session is started (sign in with the new password).',
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    message: t.exposeString('message'),
    deviceToken: t.string({
      nullable: true,
      description: DEVICE_TOKEN_DESCRIPTION,
      resolve: (reset, _args, { sessionCookie }) => (sessionCookie.enabled ? null : reset.deviceToken),
    }),
  }),
});

const SecureAccountSuccess = builder.objectRef<AccountSecured>('SecureAccountSuccess').implement({
  description: 'Every session ended, the password no longer works, and a fresh reset link was emailed to the account.',
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    message: t.exposeString('message'),
    deviceToken: t.string({
      nullable: true,
      description: DEVICE_TOKEN_DESCRIPTION,
      resolve: (secured, _args, { sessionCookie }) => (sessionCookie.enabled ? null : secured.deviceToken),
    }),
  }),
});

/** A completed recovery trusts the browser that completed it: in cookie mode its device cookie is set. */
const trusting = <T extends { deviceToken: string }>(recovered: T, sessionCookie: { trustDevice(token: string): void }): T => {
  sessionCookie.trustDevice(recovered.deviceToken);
  return recovered;
};

const RequestPasswordResetInput = builder.inputType('RequestPasswordResetInput', {
  fields: (t) => ({ email: t.string({ validate: { schema: emailSchema } }) }),
});

const ResetPasswordInput = builder.inputType('ResetPasswordInput', {
  fields: (t) => ({
    token: t.string({ description: "The token of the emailed reset link (PASSWORD_RESET_URL's {token})." }),
    newPassword: t.string({ validate: { schema: passwordSchema } }),
    secondFactorCode: t.string({ required: false, validate: { schema: secondFactorCodeSchema }, description: SECOND_FACTOR_CODE_DESCRIPTION }),
  }),
});

const SecureAccountInput = builder.inputType('SecureAccountInput', {
  fields: (t) => ({ token: t.string({ description: 'The token of the emailed "This wasn\'t me" link (ACCOUNT_SECURE_URL\'s {token}).' }) }),
});

builder.mutationField('requestPasswordReset', (t) =>
  t.field({
    type: RequestPasswordResetSuccess,
    description: 'Emails a reset link (PASSWORD_RESET_URL) if the email has an account; the answer is the same either way.',
    args: { input: t.arg({ type: RequestPasswordResetInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [ValidationError, RateLimitedError], union: { name: 'RequestPasswordResetResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.recovery.requestPasswordReset(input.email, client),
  }),
);

builder.mutationField('resetPassword', (t) =>
  t.field({
    type: ResetPasswordSuccess,
    description: "Sets a new password with an emailed reset link's token; every session of the account ends.",
    args: { input: t.arg({ type: ResetPasswordInput, required: true }) },
    extensions: { passwordField: true },
    errors: {
      types: [InvalidResetTokenError, WeakPasswordError, PasswordReusedError, SecondFactorRequiredError, IncorrectSecondFactorError, ValidationError, RateLimitedError],
      union: { name: 'ResetPasswordResult' },
    },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }) => trusting(await accounts.recovery.resetPassword(input, client), sessionCookie),
  }),
);

builder.mutationField('secureAccount', (t) =>
  t.field({
    type: SecureAccountSuccess,
    description: '"This wasn\'t me": ends every session, makes the current password unusable and emails a fresh reset link.',
    args: { input: t.arg({ type: SecureAccountInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [InvalidResetTokenError, RateLimitedError], union: { name: 'SecureAccountResult' } },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }) =>
      trusting(await accounts.recovery.secureAccount(input.token, client), sessionCookie),
  }),
);
