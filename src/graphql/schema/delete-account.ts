import { SECOND_FACTOR_CODE_DESCRIPTION, secondFactorCodeSchema } from './inputs.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from '../../second-factor/second-factor-errors.ts';
import type { AccountDeleted } from '../../identity/delete-account.ts';
import { IncorrectPasswordError, InvalidSessionError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { builder } from '../builder.ts';
import { requiredPasswordSchema } from './inputs.ts';

const DeleteAccountSuccess = builder.objectRef<AccountDeleted>('DeleteAccountSuccess').implement({
  description: 'The account, its sessions and tokens are gone; a last email confirms it (docs/api/email-address.md).',
  fields: (t) => ({ success: t.exposeBoolean('success'), message: t.exposeString('message') }),
});

const DeleteAccountInput = builder.inputType('DeleteAccountInput', {
  fields: (t) => ({
    currentPassword: t.string({ validate: { schema: requiredPasswordSchema } }),
    secondFactorCode: t.string({ required: false, validate: { schema: secondFactorCodeSchema }, description: SECOND_FACTOR_CODE_DESCRIPTION }),
  }),
});

builder.mutationField('deleteAccount', (t) =>
  t.field({
    type: DeleteAccountSuccess,
    description: 'Deletes the signed-in account for good; its address can sign up again.',
    args: { input: t.arg({ type: DeleteAccountInput, required: true }) },
    extensions: { passwordField: true },
    errors: {
      types: [ValidationError, InvalidSessionError, IncorrectPasswordError, SecondFactorRequiredError, IncorrectSecondFactorError, RateLimitedError],
      union: { name: 'DeleteAccountResult' },
    },
    resolve: async (_root, { input }, { accounts, auth, client, sessionCookie }) => {
      const deleted = await accounts.deleteAccount(auth, { currentPassword: input.currentPassword, secondFactorCode: input.secondFactorCode ?? null }, client);
      sessionCookie.clear();
      sessionCookie.forgetDevice();
      return deleted;
    },
  }),
);
