import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let url: string;
beforeAll(async () => {
  // Cost 5, so that hashes of cost 4 are upgraded on sign-in.
  server = await startTestServer({ BCRYPT_COST: '5' });
  url = server.graphqlUrl;
});
afterAll(() => server.close());

const storedHash = async (id: string) => {
  const [row] = await server.rekey.orm.em.fork().execute<{ password: string }[]>('select "password" from "users" where "id" = ?', [Number(id)]);
  return row?.password ?? '';
};

describe('signIn', () => {
  it('returns a token for the right password, with the email in any case', async () => {
    const account = await signUp(url);
    const payload = expectType(await signIn(url, `  ${account.email.toUpperCase()}`, PASSWORD), 'AuthPayload');
    expect(payload.user).toEqual({ id: account.user.id, email: account.email });
  });

  it('answers the same InvalidCredentialsError for a wrong password and an unknown email', async () => {
    const account = await signUp(url);
    const wrong = expectType(await signIn(url, account.email, 'Wrong-Pass-123'), 'InvalidCredentialsError');
    const unknown = expectType(await signIn(url, uniqueEmail('nobody'), 'Wrong-Pass-123'), 'InvalidCredentialsError');
    expect(wrong).toEqual(unknown);
    expect(wrong).toEqual({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS', message: 'Invalid email or password.' });
  });

  it('answers ValidationError for an empty password or a malformed email', async () => {
    const { signIn: result } = await run(url, SignInDocument, { input: { email: 'nope', password: '' } });
    expect(expectType(result, 'ValidationError').fieldErrors.map((f) => f.path)).toEqual([['email'], ['password']]);
  });

  it('upgrades a hash whose cost is below BCRYPT_COST, transparently', async () => {
    const account = await signUp(url);
    const cheap = await bcrypt.hash(PASSWORD, 4);
    await server.rekey.orm.em.fork().execute('update "users" set "password" = ? where "id" = ?', [cheap, Number(account.user.id)]);

    expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const upgraded = await storedHash(account.user.id);
    expect(bcrypt.getRounds(upgraded)).toBe(5);
    expect(upgraded).not.toBe(cheap);
    expect(await bcrypt.compare(PASSWORD, upgraded)).toBe(true);
    expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
  });

  it('leaves a hash of the configured cost alone', async () => {
    const account = await signUp(url);
    const before = await storedHash(account.user.id);
    expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    expect(await storedHash(account.user.id)).toBe(before);
  });
});
