import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MeDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait-until.ts';
import { createResourceServer } from '../../examples/resource-server/server.ts';
import { Secret } from '../../src/secrets/secret.ts';
import { KeyAdministration } from '../../src/access-tokens/key-administration.ts';
import { KeyEncryption } from '../../src/access-tokens/key-encryption.ts';

// Short enough to watch a whole rotation: publish, activate, the old key's tokens expire, it leaves the set.
const TIMING = { JWT_TTL: '4s', JWKS_MAX_AGE: '1s', JWT_KEY_ACTIVATION_DELAY: '2s' };
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rotation under load. On PostgreSQL: two instances on one database, each
 * signing and verifying, and the example resource server verifying through
 * the JWKS of one of them. Embedded PGlite is one process's database, so
 * there it is one instance.
 */
describe('key rotation under load', () => {
  let database: TestDatabase;
  const instances: TestServer[] = [];
  let resource: Server;
  let resourceUrl: string;
  let admin: KeyAdministration;
  beforeAll(async () => {
    database = await createTestDatabase();
    const count = database.databaseUrl ? 2 : 1;
    for (let index = 0; index < count; index += 1) instances.push(await startTestServer(TIMING, { database }));
    resource = createResourceServer({ rekeyUrl: instances[0]!.url, cacheMaxAgeMs: 1_000 });
    await new Promise<void>((resolve) => resource.listen(0, '127.0.0.1', resolve));
    resourceUrl = `http://127.0.0.1:${(resource.address() as AddressInfo).port}/`;
    // What `npm run admin -- keys rotate` runs, on the instances' database.
    admin = new KeyAdministration(instances[0]!.rekey.orm.em.fork(), new KeyEncryption(Secret.fromText(TEST_SECRET)), {
      tokenTtlMs: 4_000,
      activationDelayMs: 2_000,
    });
  }, 180_000);
  afterAll(async () => {
    resource?.close();
    for (const instance of instances) await instance.close();
    await database?.drop();
  }, 60_000);

  const jwksKids = async () =>
    ((await (await fetch(`${instances[0]!.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

  it('refuses no valid token and signs no one out, and the old key leaves the set once its tokens have expired', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => signUp(instances[0]!.graphqlUrl)));
    const oldKid = kidOf(accounts[0]!.token);
    const tally = { checks: 0, refusedByRekey: 0, refusedByResource: 0, kids: new Set<string>() };
    let running = true;
    const client = async (email: string, index: number) => {
      let token = '';
      let issuedAt = 0;
      while (running) {
        const home = instances[index % instances.length]!;
        // A token lives 4s: sign in again every second, so each one checked is unexpired.
        if (Date.now() - issuedAt > 1_000) {
          token = expectType(await signIn(home.graphqlUrl, email, PASSWORD), 'AuthPayload').token;
          issuedAt = Date.now();
          tally.kids.add(kidOf(token));
        }
        for (const instance of instances) {
          const { me } = await run(instance.graphqlUrl, MeDocument, {}, { token });
          if (me === null) tally.refusedByRekey += 1;
        }
        const verified = await fetch(resourceUrl, { headers: { authorization: `Bearer ${token}` } });
        if (verified.status !== 200) tally.refusedByResource += 1;
        tally.checks += 1;
        await sleep(50);
      }
    };
    const load = accounts.map((account, index) => client(account.email, index));

    await sleep(1_000);
    const rotation = await admin.rotate();
    expect(rotation.replaces).toBe(oldKid);
    // Published at once, before anyone signs with it.
    await waitUntil(async () => (await jwksKids()).includes(rotation.kid), 'the new key is published', { timeoutMs: 5_000 });
    expect(tally.kids.has(rotation.kid)).toBe(false);
    // Through activation and well past it.
    await sleep(rotation.activatesAt.getTime() - Date.now() + 2_500);
    running = false;
    await Promise.all(load);

    expect(tally.checks).toBeGreaterThan(40);
    expect({ refusedByRekey: tally.refusedByRekey, refusedByResource: tally.refusedByResource }).toEqual({ refusedByRekey: 0, refusedByResource: 0 });
    expect([...tally.kids].sort()).toEqual([oldKid, rotation.kid].sort());
    expect(kidOf(expectType(await signIn(instances[0]!.graphqlUrl, accounts[0]!.email, PASSWORD), 'AuthPayload').token)).toBe(rotation.kid);
    // The old key stays published while tokens it signed may live, then leaves.
    expect(await jwksKids()).toContain(oldKid);
    await waitUntil(async () => !(await jwksKids()).includes(oldKid), 'the old key leaves the set', { timeoutMs: 20_000, intervalMs: 250 });
    expect(await jwksKids()).toEqual([rotation.kid]);
    expect((await admin.list()).map((status) => [status.key.kid, status.state])).toEqual([
      [oldKid, 'retired'],
      [rotation.kid, 'active'],
    ]);
  }, 90_000);

  it('refuses a second rotation while the first key waits to sign', async () => {
    await admin.rotate();
    await expect(admin.rotate()).rejects.toThrow(/already published and starts signing at/);
  });
});
