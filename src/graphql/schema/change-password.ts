import type { PasswordChange } from '../../identity/account-service.ts';
import { IncorrectPasswordError, InvalidSessionError, PasswordReusedError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { WeakPasswordError } from '../../passwords/weak-password-error.ts';
import { builder } from '../builder.ts';
import { passwordSchema, requiredPasswordSchema, SECOND_FACTOR_CODE_DESCRIPTION, secondFactorCodeSchema } from './inputs.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../second-factor/second-factor-errors.ts';
import { sessionFields } from './session-fields.ts';

const ChangePasswordSuccess = builder.objectRef<PasswordChange>('ChangePasswordSuccess').implement({
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    message: t.exposeString('message'),
    ...sessionFields(t),
  }),
});

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ validate: { schema: requiredPasswordSchema } }),
    newPassword: t.string({ validate: { schema: passwordSchema } }),
    revokeOtherSessions: t.boolean({
      required: false,
      defaultValue: true,
      description: "Sign out every other session (default). The caller's session is renewed either way: fresh access and refresh tokens.",
    }),
    secondFactorCode: t.string({ required: false, validate: { schema: secondFactorCodeSchema }, description: SECOND_FACTOR_CODE_DESCRIPTION }),
  }),
});

builder.mutationField('changePassword', (t) =>
  t.field({
    type: ChangePasswordSuccess,
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    extensions: { passwordField: true },
    errors: {
      types: [
        ValidationError,
        InvalidSessionError,
        IncorrectPasswordError,
        WeakPasswordError,
        PasswordReusedError,
        SecondFactorRequiredError,
        IncorrectSecondFactorError,
        RateLimitedError,
      ],
      union: { name: 'ChangePasswordResult' },
    },
    resolve: async (_root, { input }, { accounts, auth, client, sessionCookie }) =>
      sessionCookie.issued(
        await accounts.changePassword(
          auth,
          {
            currentPassword: input.currentPassword,
            newPassword: input.newPassword,
            revokeOtherSessions: input.revokeOtherSessions ?? true,
            secondFactorCode: input.secondFactorCode ?? null,
          },
          client,
        ),
      ),
  }),
);
