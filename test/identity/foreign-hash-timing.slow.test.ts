import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firebaseStoredHash } from '../../src/passwords/hashing/firebase-scrypt-format.ts';
import { signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { FIREBASE_VECTOR, FOREIGN_HASHES } from '../support/foreign-hashes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { median, timed } from '../support/timing.ts';

// A wrong password on a hash brought from another system costs what one on a
// current bcrypt hash costs, and an unknown email the same: the other format's
// derivation counts for its measured bcrypt work and decoy compares pad the rest
// of the price, which covers the costliest kind (docs/design/timing-parity.md).
// Under heavy load from other processes the medians spread (the unknown email's
// and the bcrypt hash's as well); the slow suite runs one file at a time.
describe('sign-in timing with hashes of other systems', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Cost 9 (~25 ms a compare here), as in sign-in-timing.slow.test.ts.
    server = await startTestServer({ BCRYPT_COST: '9', LOCKOUT_THRESHOLD: '100000', REQUEST_TIMEOUT: '120s', ...FIREBASE_VECTOR.env });
  });
  afterAll(() => server.close());

  async function adopt(hash: string): Promise<string> {
    const email = uniqueEmail('imported');
    await server.rekey.orm.em.fork().execute('insert into "users" ("email", "password", "password_normalized") values (?, ?, false)', [email, hash]);
    return email;
  }

  it('takes the same time for a wrong password on each format, on a current bcrypt hash and for an unknown email (30 each, medians within 10%)', async () => {
    const accounts: Record<string, string> = { 'current bcrypt': (await signUp(server.graphqlUrl)).email };
    for (const [name, make] of Object.entries(FOREIGN_HASHES)) accounts[name] = await adopt(await make('Some-Old-Pass-1'));
    accounts['Firebase scrypt'] = await adopt(firebaseStoredHash(FIREBASE_VECTOR.salt, FIREBASE_VECTOR.hash));
    // Each kind of hash read a few times, as the first sign-ins after an import would: the price settles.
    for (let round = 0; round < 3; round += 1) {
      for (const email of Object.values(accounts)) await signIn(server.graphqlUrl, email, 'Wrong-Pass-123');
    }

    const samples: Record<string, number[]> = { 'unknown email': [] };
    for (const name of Object.keys(accounts)) samples[name] = [];
    const paths: [string, () => string][] = [['unknown email', () => uniqueEmail('nobody')], ...Object.entries(accounts).map(([name, email]): [string, () => string] => [name, () => email])];
    // Interleaved, each round starting one path later, so drift in machine load affects every path alike.
    for (let round = 0; round < 30; round += 1) {
      for (let step = 0; step < paths.length; step += 1) {
        const [name, email] = paths[(round + step) % paths.length]!;
        samples[name]!.push(await timed(() => signIn(server.graphqlUrl, email(), 'Wrong-Pass-123')));
      }
    }
    const medians = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
    console.log(`wrong-password sign-in medians: ${Object.entries(medians).map(([name, value]) => `${name} ${value.toFixed(1)} ms`).join(', ')}`);
    const reference = medians['current bcrypt']!;
    for (const [name, value] of Object.entries(medians)) expect([name, Math.abs(value - reference) / reference < 0.1]).toEqual([name, true]);
  }, 1_200_000);
});
