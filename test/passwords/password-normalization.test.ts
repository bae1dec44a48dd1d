import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionTokenFor } from '../support/sessions.ts';

// Rekey hashes the NFC form of a password. A hash made elsewhere may come from
// the raw (un-normalised) form, so for those the raw form is tried as well;
// for hashes Rekey wrote, a wrong password costs one bcrypt compare, not two.
const DECOMPOSED = 'Cafe\u0301-Pass-1234'; // "é" as e + combining accent: NFC differs
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const compares = () => server.rekey.deps.hasher.operations.compares;
async function comparesDuring(action: () => Promise<unknown>): Promise<number> {
  const before = compares();
  await action();
  return compares() - before;
}

/** An account adopted from another system: its hash made from the raw, un-normalised password. */
async function adoptedAccount(password: string): Promise<string> {
  const email = uniqueEmail('adopted');
  await server.rekey.orm.em.fork().execute('insert into "users" ("email", "password") values (?, ?)', [email, await bcrypt.hash(password, 4)]);
  return email;
}

describe('a wrong password that is not in NFC', () => {
  it('costs one compare on an account whose hash Rekey wrote', async () => {
    const account = await signUp(server.graphqlUrl);
    let answer = '';
    expect(await comparesDuring(async () => (answer = (await signIn(server.graphqlUrl, account.email, DECOMPOSED)).__typename))).toBe(1);
    expect(answer).toBe('InvalidCredentialsError');
  });

  it('still lets an adopted account sign in with its raw form, then marks its new hash as Rekey\'s', async () => {
    const email = await adoptedAccount(DECOMPOSED);
    // Adopted: a wrong non-NFC password is tried in both forms.
    expect(await comparesDuring(() => signIn(server.graphqlUrl, email, 'Wrong\u0301-Pass-1234'))).toBe(2);
    expect((await signIn(server.graphqlUrl, email, DECOMPOSED)).__typename).toBe('AuthPayload');
    // Rehashed from the NFC form at that sign-in and marked as Rekey's: its own check is one compare
    // now, padded (like every wrong password while this server runs) to the two of the adopted case.
    const [row] = await server.rekey.orm.em.fork().execute<{ password_normalized: boolean }[]>('select "password_normalized" from "users" where "email" = ?', [email]);
    expect(row?.password_normalized).toBe(true);
    expect(await comparesDuring(() => signIn(server.graphqlUrl, email, 'Wrong\u0301-Pass-1234'))).toBe(2);
    expect((await signIn(server.graphqlUrl, email, DECOMPOSED)).__typename).toBe('AuthPayload');
  });

  // docs/design/timing-parity.md: with an adopted hash of an un-normalised password stored, a wrong
  // non-NFC password costs two compares on it, so it costs two on every account and on an unknown email.
  it('costs as many compares on an unknown email and on any account as on an adopted one', async () => {
    const adopted = await adoptedAccount(DECOMPOSED);
    const own = await signUp(server.graphqlUrl);
    const wrong = 'Wrong\u0301-Pass-1234';
    const counts = [
      await comparesDuring(() => signIn(server.graphqlUrl, adopted, wrong)),
      await comparesDuring(() => signIn(server.graphqlUrl, own.email, wrong)),
      await comparesDuring(() => signIn(server.graphqlUrl, uniqueEmail('nobody'), wrong)),
    ];
    expect(counts).toEqual([2, 2, 2]);
  });

  it('marks the hashes Rekey writes at sign-up and at a password change', async () => {
    const flag = async (email: string) => {
      const [row] = await server.rekey.orm.em.fork().execute<{ password_normalized: boolean }[]>(
        'select "password_normalized" from "users" where "email" = ?',
        [email],
      );
      return row?.password_normalized;
    };
    expect(await flag((await signUp(server.graphqlUrl)).email)).toBe(true);

    const email = await adoptedAccount(DECOMPOSED);
    expect(await flag(email)).toBe(false);
    const [{ id } = { id: 0 }] = await server.rekey.orm.em.fork().execute<{ id: number }[]>('select "id" from "users" where "email" = ?', [email]);
    const token = await sessionTokenFor(server.rekey, id);
    const changed = await changePassword(server.graphqlUrl, token, { currentPassword: DECOMPOSED, newPassword: 'Brand-New-Pass-7' });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
    expect(await flag(email)).toBe(true);
  });
});
