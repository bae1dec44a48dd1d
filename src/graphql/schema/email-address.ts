import { SECOND_FACTOR_CODE_DESCRIPTION, secondFactorCodeSchema } from './inputs.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../second-factor/second-factor-errors.ts';
import type { EmailChanged, EmailChangeRequested } from '../../email/email-change.ts';
import { InvalidEmailTokenError } from '../../email/email-errors.ts';
import type { EmailVerified, VerificationRequested } from '../../email/email-verification.ts';
import { IncorrectPasswordError, InvalidSessionError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { builder } from '../builder.ts';
import { emailSchema, requiredPasswordSchema } from './inputs.ts';

// The address: verification, and a change confirmed by both addresses (docs/api/email-address.md).
// Tokens come from emailed links; an unusable one is InvalidEmailTokenError, from the domain.

const successFields = <T extends { success: true; message: string }>(name: string, description: string) =>
  builder.objectRef<T>(name).implement({
    description,
    fields: (t) => ({
      success: t.boolean({ resolve: (result) => result.success }),
      message: t.string({ resolve: (result) => result.message }),
    }),
  });

const RequestEmailVerificationSuccess = successFields<VerificationRequested>(
  'RequestEmailVerificationSuccess',
  'The same answer whether or not the address has an account waiting for verification.',
);
const VerifyEmailSuccess = successFields<EmailVerified>('VerifyEmailSuccess', 'The account’s address is verified.');
const RequestEmailChangeSuccess = successFields<EmailChangeRequested>(
  'RequestEmailChangeSuccess',
  'The same answer whether or not the new address already has an account.',
);

const ConfirmEmailChangeSuccess = builder.objectRef<EmailChanged>('ConfirmEmailChangeSuccess').implement({
  description: 'The account’s address is the new one; sessions are kept.',
  fields: (t) => ({ success: t.exposeBoolean('success'), message: t.exposeString('message'), email: t.exposeString('email') }),
});

const tokenInput = (name: string, description: string) =>
  builder.inputType(name, { fields: (t) => ({ token: t.string({ description }) }) });

const VerifyEmailInput = tokenInput('VerifyEmailInput', "The token of the emailed verification link (EMAIL_VERIFICATION_URL's {token}).");
const ConfirmEmailChangeInput = tokenInput('ConfirmEmailChangeInput', "The token of the link sent to the new address (EMAIL_CHANGE_URL's {token}).");

const RequestEmailVerificationInput = builder.inputType('RequestEmailVerificationInput', {
  fields: (t) => ({ email: t.string({ validate: { schema: emailSchema } }) }),
});

const RequestEmailChangeInput = builder.inputType('RequestEmailChangeInput', {
  fields: (t) => ({
    newEmail: t.string({ validate: { schema: emailSchema } }),
    currentPassword: t.string({ validate: { schema: requiredPasswordSchema } }),
    secondFactorCode: t.string({ required: false, validate: { schema: secondFactorCodeSchema }, description: SECOND_FACTOR_CODE_DESCRIPTION }),
  }),
});

builder.mutationField('requestEmailVerification', (t) =>
  t.field({
    type: RequestEmailVerificationSuccess,
    description: 'Emails a fresh verification link if the address has an unverified account; the answer is the same either way.',
    args: { input: t.arg({ type: RequestEmailVerificationInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [ValidationError, RateLimitedError], union: { name: 'RequestEmailVerificationResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.emailVerification.requestVerification(input.email, client),
  }),
);

builder.mutationField('verifyEmail', (t) =>
  t.field({
    type: VerifyEmailSuccess,
    description: 'Marks the address verified with an emailed verification link’s token.',
    args: { input: t.arg({ type: VerifyEmailInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [InvalidEmailTokenError, RateLimitedError], union: { name: 'VerifyEmailResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.emailVerification.verifyEmail(input.token, client),
  }),
);

builder.mutationField('requestEmailChange', (t) =>
  t.field({
    type: RequestEmailChangeSuccess,
    description:
      'Sends a confirmation link to the new address and a notice with a "This wasn\'t me" link to the current one. The address changes when the link is followed (confirmEmailChange).',
    args: { input: t.arg({ type: RequestEmailChangeInput, required: true }) },
    extensions: { passwordField: true },
    errors: {
      types: [ValidationError, InvalidSessionError, IncorrectPasswordError, SecondFactorRequiredError, IncorrectSecondFactorError, RateLimitedError],
      union: { name: 'RequestEmailChangeResult' },
    },
    resolve: (_root, { input }, { accounts, auth, client }) =>
      accounts.emailChanges.requestChange(
        auth,
        { newEmail: input.newEmail, currentPassword: input.currentPassword, secondFactorCode: input.secondFactorCode ?? null },
        client,
      ),
  }),
);

builder.mutationField('confirmEmailChange', (t) =>
  t.field({
    type: ConfirmEmailChangeSuccess,
    description: 'Switches the account to the new address with the token of the link sent there.',
    args: { input: t.arg({ type: ConfirmEmailChangeInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [InvalidEmailTokenError, RateLimitedError], union: { name: 'ConfirmEmailChangeResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.emailChanges.confirmChange(input.token, client),
  }),
);
