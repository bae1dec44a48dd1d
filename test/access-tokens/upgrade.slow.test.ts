import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { MeDocument } from '../generated/graphql.ts';
import { signUp } from '../support/accounts.ts';
import { run } from '../support/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_SECRET, startTestServer, type TestServer } from '../support/server.ts';

const me = async (server: TestServer, token: string) => (await run(server.graphqlUrl, MeDocument, {}, { token })).me;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg: string; kid?: string };
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, number | string>;
const now = () => Math.floor(Date.now() / 1000);

/**
 * A deployment that ran with JWT_SECRET (HS256) restarts with
 * JWT_ALGORITHM=ES256 on the same database, keeping JWT_SECRET while its
 * tokens drain: no one is signed out, and the secret can mint nothing new.
 */
describe('upgrading from HS256 to ES256', () => {
  let database: TestDatabase;
  let target: { databaseUrl: string | null; pgliteDir: string };
  let before: Awaited<ReturnType<typeof signUp>>;
  let after: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    target = database.databaseUrl ? database : { ...database, pgliteDir: join(mkdtempSync(join(tmpdir(), 'rekey-upgrade-')), 'pglite') };
    const hs256 = await startTestServer({ JWT_ALGORITHM: 'HS256', JWT_SECRET: TEST_SECRET }, { database: target });
    before = await signUp(hs256.graphqlUrl);
    await hs256.close();
    after = await startTestServer(
      { JWT_SECRET: TEST_SECRET, JWKS_MAX_AGE: '1s', JWT_KEY_ACTIVATION_DELAY: '2s' },
      { database: target },
    );
  }, 180_000);
  afterAll(async () => {
    await after?.close();
    await database?.drop();
  }, 60_000);

  it('keeps accepting the HS256 tokens issued before the switch, and signs new ones with ES256', async () => {
    expect(headerOf(before.token).alg).toBe('HS256');
    expect((await me(after, before.token))?.id).toBe(before.user.id);
    const fresh = await signUp(after.graphqlUrl);
    expect(headerOf(fresh.token).alg).toBe('ES256');
    expect((await me(after, fresh.token))?.id).toBe(fresh.user.id);
  });

  it('refuses an HS256 token minted with the kept secret after the switch (past the rolling-deploy delay)', async () => {
    // Past the first ES256 key's creation plus JWT_KEY_ACTIVATION_DELAY, in whole seconds (`iat` has no more).
    const switchedAt = after.rekey.keyRing!.firstKeyCreatedAt!.getTime();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, switchedAt + 3_100 - Date.now())));
    const minted = jwt.sign({ ...payloadOf(before.token), iat: now(), exp: now() + 600 }, TEST_SECRET, { algorithm: 'HS256' });
    expect(await me(after, minted)).toBeNull();
    // The one from before still works: only its own expiry ends it.
    expect((await me(after, before.token))?.id).toBe(before.user.id);
  });

  it('refuses an HS256 token from before the switch once it has expired, or one claiming a longer life than JWT_TTL', async () => {
    const claims = payloadOf(before.token);
    const issued = Number(claims.iat);
    const expired = jwt.sign({ ...claims, exp: now() - 1 }, TEST_SECRET, { algorithm: 'HS256' });
    expect(await me(after, expired)).toBeNull();
    const longLived = jwt.sign({ ...claims, iat: issued, exp: issued + 86_400 }, TEST_SECRET, { algorithm: 'HS256' });
    expect(await me(after, longLived)).toBeNull();
  });
});
