import { EmailNotVerifiedError } from '../../email/email-errors.ts';
import type { SignedIn } from '../../sessions/session-service.ts';
import { EmailTakenError, InvalidCredentialsError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { WeakPasswordError } from '../../passwords/weak-password-error.ts';
import { builder } from '../builder.ts';
import { emailSchema, passwordSchema, requiredPasswordSchema } from './inputs.ts';
import { sessionFields } from './session-fields.ts';
import { SessionType } from './session.ts';
import { SecondFactorChallengeAnswer } from './second-factor/challenge.ts';

export const AuthPayloadType = builder.objectRef<SignedIn>('AuthPayload').implement({
  fields: (t) => ({
    ...sessionFields(t),
    session: t.field({ type: SessionType, description: 'The session this answer signed in.', resolve: (signedIn) => signedIn.session }),
  }),
});

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ validate: { schema: emailSchema } }),
    password: t.string({ validate: { schema: passwordSchema } }),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ validate: { schema: emailSchema } }),
    password: t.string({ validate: { schema: requiredPasswordSchema } }),
    deviceToken: t.string({
      required: false,
      description:
        "The `deviceToken` of an earlier sign-in on this device (omitted in cookie mode: the `rekey_device` cookie, `__Secure-rekey_device` where Secure, is read). A trusted one is counted in its own bucket, never refused by the email's limit or the account's block; anything else is ignored.",
    }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    extensions: { passwordField: true },
    errors: { types: [ValidationError, WeakPasswordError, EmailTakenError, RateLimitedError], union: { name: 'SignUpResult' } },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }) => sessionCookie.issued(await accounts.signUp(input, client)),
  }),
);

builder.mutationField('signIn', (t) =>
  t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    extensions: { passwordField: true },
    description: 'With TOTP on, a correct password answers `SecondFactorChallenge`: complete the sign-in with `verifySecondFactor`.',
    errors: { types: [SecondFactorChallengeAnswer, ValidationError, InvalidCredentialsError, EmailNotVerifiedError, RateLimitedError], union: { name: 'SignInResult' } },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }) => {
      const result = await accounts.signIn({ ...input, deviceToken: input.deviceToken ?? sessionCookie.presentedDevice }, client);
      if ('challengeToken' in result) throw new SecondFactorChallengeAnswer(result);
      return sessionCookie.issued(result);
    },
  }),
);
