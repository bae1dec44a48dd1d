import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { openOrm } from '../../src/server/database.ts';
import { changePassword, signIn } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The original change-password workflow's table: id, email, password (bcrypt, here PHP's $2y$).
const LEGACY_TABLE = `create table "users" ("id" serial primary key, "email" varchar(255) not null unique, "password" varchar(255) not null, "name" text)`;

describe('adopting an existing users table', () => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    // A file-backed PGlite (an in-memory one cannot be reopened) or the test's own PostgreSQL database.
    const target = database.databaseUrl ? database : { ...database, pgliteDir: join(mkdtempSync(join(tmpdir(), 'rekey-adopt-')), 'pglite') };
    const legacy = await openOrm({ databaseUrl: target.databaseUrl, pgliteDir: target.pgliteDir });
    const hash = (await bcrypt.hash('Legacy-Pass-2019', 4)).replace(/^\$2b\$/, '$2y$');
    await legacy.em.fork().execute(LEGACY_TABLE);
    await legacy.em.fork().execute(`insert into "users" ("email", "password", "name") values ('legacy@example.com', ?, 'Lea')`, [hash]);
    await legacy.close(true);
    // Starting Rekey applies its migrations to that table.
    server = await startTestServer({}, { database: target });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it('keeps the existing account, which signs in with its old hash and can change its password', async () => {
    const payload = expectType(await signIn(server.graphqlUrl, 'legacy@example.com', 'Legacy-Pass-2019'), 'AuthPayload');
    expect(payload.user.email).toBe('legacy@example.com');
    const changed = await changePassword(server.graphqlUrl, payload.token, { currentPassword: 'Legacy-Pass-2019', newPassword: 'Brand-New-Pass-7' });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
    expect(expectType(await signIn(server.graphqlUrl, 'legacy@example.com', 'Brand-New-Pass-7'), 'AuthPayload').user.id).toBe(payload.user.id);
  });

  it('leaves the columns it does not know alone', async () => {
    const [row] = await server.rekey.orm.em.fork().execute<{ name: string }[]>(`select "name" from "users" where "email" = 'legacy@example.com'`);
    expect(row?.name).toBe('Lea');
  });
});
