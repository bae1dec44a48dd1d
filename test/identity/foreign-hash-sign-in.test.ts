import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firebaseStoredHash } from '../../src/passwords/hashing/firebase-scrypt-format.ts';
import { signIn, uniqueEmail } from '../support/accounts.ts';
import { FIREBASE_VECTOR, FOREIGN_HASHES } from '../support/foreign-hashes.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PASSWORD = 'Brought-Along-8';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ BCRYPT_COST: '4', ...FIREBASE_VECTOR.env });
});
afterAll(() => server.close());

/** An account as an import leaves it: the other system's hash, not known to be of the NFC form. */
async function adopt(hash: string): Promise<string> {
  const email = uniqueEmail('imported');
  await server.rekey.orm.em.fork().execute('insert into "users" ("email", "password", "password_normalized") values (?, ?, false)', [email, hash]);
  return email;
}

async function storedHash(email: string): Promise<{ password: string; password_normalized: boolean }> {
  const [row] = await server.rekey.orm.em.fork().execute<{ password: string; password_normalized: boolean }[]>(
    'select "password", "password_normalized" from "users" where "email" = ?',
    [email],
  );
  if (row === undefined) throw new Error(`no account ${email}`);
  return row;
}

const cases: [string, () => Promise<{ hash: string; password: string }>][] = [
  ...Object.entries(FOREIGN_HASHES).map(([name, make]): [string, () => Promise<{ hash: string; password: string }>] => [
    name,
    async () => ({ hash: await make(PASSWORD), password: PASSWORD }),
  ]),
  ['Firebase scrypt (the published test vector)', async () => ({ hash: firebaseStoredHash(FIREBASE_VECTOR.salt, FIREBASE_VECTOR.hash), password: FIREBASE_VECTOR.password })],
];

describe('signing in with a hash brought from another system', () => {
  for (const [name, make] of cases) {
    it(`${name}: a wrong password fails, the right one signs in and the hash becomes bcrypt at BCRYPT_COST`, async () => {
      const { hash, password } = await make();
      const email = await adopt(hash);
      expectType(await signIn(server.graphqlUrl, email, 'Wrong-Pass-123'), 'InvalidCredentialsError');
      expect((await storedHash(email)).password).toBe(hash);

      expectType(await signIn(server.graphqlUrl, email, password), 'AuthPayload');
      const after = await storedHash(email);
      expect(after.password).toMatch(/^\$2b\$04\$/);
      expect(after.password_normalized).toBe(true);
      // The bcrypt hash takes over: the password still signs in, a wrong one still fails.
      expectType(await signIn(server.graphqlUrl, email, password), 'AuthPayload');
      expectType(await signIn(server.graphqlUrl, email, 'Wrong-Pass-123'), 'InvalidCredentialsError');
    });
  }

  it('refuses an account whose stored hash asks for hostile parameters, quickly and with the generic answer', async () => {
    const email = await adopt(`$argon2id$v=19$m=4294967295,t=1000000,p=1$c2FsdHNhbHRzYWx0$${'A'.repeat(43)}`);
    const started = performance.now();
    expectType(await signIn(server.graphqlUrl, email, PASSWORD), 'InvalidCredentialsError');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
