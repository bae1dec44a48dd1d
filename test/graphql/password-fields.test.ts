import { describe, expect, it } from '@jest/globals';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  parse,
  validate,
} from 'graphql';
import { builder } from '../../src/graphql/builder.ts';
import { onePasswordFieldPerOperation, passwordFieldsOf } from '../../src/graphql/plugins/one-password-field.ts';
import { declaredSchema, schema } from '../../src/graphql/schema.ts';

const PASSWORD_NAME = /password/i;

/** Whether an input type holds a field named like a password, at any depth. */
function holdsPassword(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => PASSWORD_NAME.test(field.name) || holdsPassword(field.type, seen));
}

function takesPassword(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => PASSWORD_NAME.test(arg.name) || holdsPassword(arg.type));
}

/** Mutations that take a password but are not marked `passwordField`: each would escape the guard. */
function unmarkedPasswordTakers(target: GraphQLSchema): string[] {
  const mutations = Object.values(target.getMutationType()?.getFields() ?? {});
  return mutations.filter((field) => takesPassword(field) && field.extensions.passwordField !== true).map((field) => field.name);
}

/** The guard's verdict on `document` against `target`: the error codes it reports. */
function refusals(target: GraphQLSchema, document: string): unknown[] {
  return validate(target, parse(document), [onePasswordFieldPerOperation(target)]).map((error) => error.extensions.code);
}

// A later feature's mutations, added to the app's own builder after its schema was built.
const PasscodeInput = builder.inputType('SetPasscodeInput', { fields: (t) => ({ currentPassword: t.string(), passcode: t.string() }) });
builder.mutationField('setPasscode', (t) =>
  t.boolean({
    args: { input: t.arg({ type: PasscodeInput, required: true }) },
    extensions: { passwordField: true },
    resolve: () => true,
  }),
);
builder.mutationField('setRecoveryPin', (t) => t.boolean({ args: { newPassword: t.arg.string({ required: true }) }, resolve: () => true }));
const extended = builder.toSchema({ sortSchema: false });

const setPasscode = 'setPasscode(input: { currentPassword: "Guess-1", passcode: "1234" })';
const signIn = 'signIn(input: { email: "a@example.com", password: "Guess-2" }) { __typename }';

describe('password fields are marked where they are declared', () => {
  it('marks the mutations that check a password, an emailed token or a second-factor code, in declaration order', () => {
    expect(passwordFieldsOf(declaredSchema)).toEqual([
      'signUp',
      'signIn',
      'changePassword',
      'requestPasswordReset',
      'resetPassword',
      'secureAccount',
      'requestEmailVerification',
      'verifyEmail',
      'requestEmailChange',
      'confirmEmailChange',
      'deleteAccount',
      'startTotpEnrollment',
      'confirmTotpEnrollment',
      'disableTotp',
      'regenerateRecoveryCodes',
      'verifySecondFactor',
    ]);
  });

  it('leaves no mutation that takes a password unmarked', () => {
    expect(unmarkedPasswordTakers(schema)).toEqual([]);
  });

  it('finds a password-taking mutation someone forgot to mark', () => {
    expect(unmarkedPasswordTakers(extended)).toEqual(['setRecoveryPin']);
  });

  it('keeps the marks in the sorted schema that is served', () => {
    expect(passwordFieldsOf(schema).sort()).toEqual(passwordFieldsOf(declaredSchema).sort());
  });
});

describe('the one-password-field guard reads the marks', () => {
  it('refuses a newly marked field beside another password field', () => {
    expect(refusals(extended, `mutation { ${signIn} ${setPasscode} }`)).toEqual(['TOO_MANY_PASSWORD_FIELDS']);
  });

  it('refuses it twice through aliases and fragments, and names it in the message', () => {
    const document = `mutation { a: ${setPasscode} ...more }
                      fragment more on Mutation { ... on Mutation { b: ${setPasscode} } }`;
    const [error, ...others] = validate(extended, parse(document), [onePasswordFieldPerOperation(extended)]);
    expect(others).toEqual([]);
    expect(error?.message).toBe(
      'Only one of signUp, signIn, changePassword, requestPasswordReset, resetPassword, secureAccount, requestEmailVerification, verifyEmail, requestEmailChange, confirmEmailChange, deleteAccount, startTotpEnrollment, confirmTotpEnrollment, disableTotp, regenerateRecoveryCodes, verifySecondFactor, setPasscode may be called per operation.',
    );
  });

  it('lets it run alone or beside fields that are not marked', () => {
    expect(refusals(extended, `mutation { ${setPasscode} }`)).toEqual([]);
    expect(refusals(extended, `mutation { ${setPasscode} setRecoveryPin(newPassword: "x") }`)).toEqual([]);
  });

  it('guards the served schema\'s own fields the same way', () => {
    expect(refusals(schema, `mutation { ${signIn} }`)).toEqual([]);
    expect(refusals(schema, `mutation { a: ${signIn} b: ${signIn} }`)).toEqual(['TOO_MANY_PASSWORD_FIELDS']);
  });
});
