import type { Session } from '../accounts/account-service.ts';
import { EmailTakenError, InvalidCredentialsError, RateLimitedError, ValidationError, WeakPasswordError } from '../accounts/errors.ts';
import { builder } from './builder.ts';
import { emailSchema, passwordSchema, requiredPasswordSchema } from './inputs.ts';
import { sessionFields } from './session-fields.ts';

export const AuthPayloadType = builder.objectRef<Session>('AuthPayload').implement({
  fields: (t) => sessionFields(t),
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
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    errors: { types: [ValidationError, WeakPasswordError, EmailTakenError, RateLimitedError], union: { name: 'SignUpResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.signUp(input, client),
  }),
);

builder.mutationField('signIn', (t) =>
  t.field({
    type: AuthPayloadType,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    errors: { types: [ValidationError, InvalidCredentialsError, RateLimitedError], union: { name: 'SignInResult' } },
    resolve: (_root, { input }, { accounts, client }) => accounts.signIn(input, client),
  }),
);
