import { z } from 'zod';
import type { SignedIn } from '../../../identity/account-service.ts';
import { IncorrectPasswordError, InvalidSessionError, RateLimitedError, ValidationError } from '../../../errors/errors.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../../second-factor/second-factor-errors.ts';
import type { RecoveryCodesIssued, TotpEnrollmentStarted } from '../../../second-factor/totp-enrollment.ts';
import type { User } from '../../../users/user.entity.ts';
import { builder } from '../../builder.ts';
import { AuthPayloadType } from '../auth.ts';
import { requiredPasswordSchema, secondFactorCodeSchema } from '../inputs.ts';
import { UserType } from '../user.ts';

// TOTP with recovery codes (docs/api/second-factor.md). Every field that
// checks a password or a code counts as a password-checking field: one per operation.

const SecondFactorStatus = builder.objectRef<{ totp: boolean; recoveryCodesLeft: number }>('SecondFactorStatus').implement({
  fields: (t) => ({
    totp: t.exposeBoolean('totp', { description: 'TOTP is on: sign-in and sensitive changes ask for a code.' }),
    recoveryCodesLeft: t.exposeInt('recoveryCodesLeft', { description: 'Unused recovery codes (0 with TOTP off).' }),
  }),
});

builder.objectField(UserType, 'secondFactor', (t) =>
  t.field({ type: SecondFactorStatus, resolve: (user: User, _args, { accounts }) => accounts.secondFactor.status(user.id) }),
);

const StartTotpEnrollmentSuccess = builder.objectRef<TotpEnrollmentStarted>('StartTotpEnrollmentSuccess').implement({
  description: 'A pending authenticator: it is on only after confirmTotpEnrollment accepts one of its codes.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'Base32, for apps that cannot scan the QR code.' }),
    uri: t.exposeString('uri', { description: 'The `otpauth://totp/…` URI.' }),
    qrCodeSvg: t.exposeString('qrCodeSvg', { description: 'The URI as a QR code, an SVG document.' }),
  }),
});

const RecoveryCodesSuccess = (name: string) =>
  builder.objectRef<RecoveryCodesIssued>(name).implement({
    fields: (t) => ({
      recoveryCodes: t.exposeStringList('recoveryCodes', { description: 'Ten single-use codes, shown this once: only their hashes are kept.' }),
      user: t.field({ type: UserType, resolve: (issued) => issued.user }),
    }),
  });

const DisableTotpSuccess = builder.objectRef<{ success: true; message: string; user: User }>('DisableTotpSuccess').implement({
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    message: t.exposeString('message'),
    user: t.field({ type: UserType, resolve: (result) => result.user }),
  }),
});

const challengeTokenSchema = z.string().min(1, 'Challenge token is required').max(100, 'Challenge token must be at most 100 characters');
const codeField = { validate: { schema: secondFactorCodeSchema } } as const;

const StartTotpEnrollmentInput = builder.inputType('StartTotpEnrollmentInput', {
  fields: (t) => ({ currentPassword: t.string({ validate: { schema: requiredPasswordSchema } }) }),
});
const ConfirmTotpEnrollmentInput = builder.inputType('ConfirmTotpEnrollmentInput', {
  fields: (t) => ({ code: t.string({ ...codeField, description: 'A code the authenticator app shows now.' }) }),
});
const DisableTotpInput = builder.inputType('DisableTotpInput', {
  fields: (t) => ({
    currentPassword: t.string({ validate: { schema: requiredPasswordSchema } }),
    secondFactorCode: t.string({ ...codeField, description: 'A code of the authenticator app, or a recovery code.' }),
  }),
});
const RegenerateRecoveryCodesInput = builder.inputType('RegenerateRecoveryCodesInput', {
  fields: (t) => ({ secondFactorCode: t.string({ ...codeField, description: 'A code of the authenticator app, or a recovery code.' }) }),
});
const VerifySecondFactorInput = builder.inputType('VerifySecondFactorInput', {
  fields: (t) => ({
    challengeToken: t.string({ validate: { schema: challengeTokenSchema }, description: "signIn's `SecondFactorChallenge.challengeToken`." }),
    code: t.string({ ...codeField, description: 'A code of the authenticator app, or a recovery code.' }),
  }),
});

const guarded = { passwordField: true } as const;
const CODE_ERRORS = [ValidationError, InvalidSessionError, SecondFactorRequiredError, IncorrectSecondFactorError, RateLimitedError];

builder.mutationField('startTotpEnrollment', (t) =>
  t.field({
    type: StartTotpEnrollmentSuccess,
    args: { input: t.arg({ type: StartTotpEnrollmentInput, required: true }) },
    extensions: guarded,
    errors: { types: [ValidationError, InvalidSessionError, IncorrectPasswordError, RateLimitedError], union: { name: 'StartTotpEnrollmentResult' } },
    resolve: (_root, { input }, { accounts, auth, client }) => accounts.totp.start(auth, input.currentPassword, client),
  }),
);

builder.mutationField('confirmTotpEnrollment', (t) =>
  t.field({
    type: RecoveryCodesSuccess('ConfirmTotpEnrollmentSuccess'),
    description: 'Turns TOTP on with a first correct code; the answer carries the recovery codes, shown once.',
    args: { input: t.arg({ type: ConfirmTotpEnrollmentInput, required: true }) },
    extensions: guarded,
    errors: { types: [ValidationError, InvalidSessionError, IncorrectSecondFactorError, RateLimitedError], union: { name: 'ConfirmTotpEnrollmentResult' } },
    resolve: (_root, { input }, { accounts, auth, client }) => accounts.totp.confirm(auth, input.code, client),
  }),
);

builder.mutationField('disableTotp', (t) =>
  t.field({
    type: DisableTotpSuccess,
    args: { input: t.arg({ type: DisableTotpInput, required: true }) },
    extensions: guarded,
    errors: { types: [IncorrectPasswordError, ...CODE_ERRORS], union: { name: 'DisableTotpResult' } },
    resolve: async (_root, { input }, { accounts, auth, client }) => {
      const user = await accounts.totp.disable(auth, { currentPassword: input.currentPassword, code: input.secondFactorCode }, client);
      return { success: true as const, message: 'Two-step verification is off.', user };
    },
  }),
);

builder.mutationField('regenerateRecoveryCodes', (t) =>
  t.field({
    type: RecoveryCodesSuccess('RegenerateRecoveryCodesSuccess'),
    args: { input: t.arg({ type: RegenerateRecoveryCodesInput, required: true }) },
    extensions: guarded,
    errors: { types: CODE_ERRORS, union: { name: 'RegenerateRecoveryCodesResult' } },
    resolve: (_root, { input }, { accounts, auth, client }) => accounts.totp.regenerateRecoveryCodes(auth, input.secondFactorCode, client),
  }),
);

builder.mutationField('verifySecondFactor', (t) =>
  t.field({
    type: AuthPayloadType,
    description: "Completes a sign-in that answered SecondFactorChallenge. A used, expired or unknown challenge: InvalidSessionError (sign in again).",
    args: { input: t.arg({ type: VerifySecondFactorInput, required: true }) },
    extensions: guarded,
    errors: { types: [ValidationError, InvalidSessionError, IncorrectSecondFactorError, RateLimitedError], union: { name: 'VerifySecondFactorResult' } },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }): Promise<SignedIn> =>
      sessionCookie.issued(await accounts.verifySecondFactor(input, client)),
  }),
);
