import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { openOrm } from '../../src/server/database.ts';
import { signIn } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/*
 * The original change-password workflow's six documented curl tests, run
 * literally against Rekey's workflow-compatible route. The original document
 * is not available here: these requests and answers reconstruct its
 * documented cases (docs/migrating-from-the-original-workflow.md). Bodies are sent as
 * the raw strings below with only <token> substituted; status and body are
 * asserted exactly.
 */

const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';
const OLD = 'MyOldP@ss!';
const NEW = 'MyN3wP@ss!';

// The original workflow's table: id, email, password (bcrypt, as PHP, Node or Python wrote it).
const ORIGINAL_TABLE = `create table "users" ("id" serial primary key, "email" varchar(255) not null unique, "password" varchar(255) not null)`;
const PREFIXES = ['$2a$', '$2b$', '$2y$'] as const;

interface Case {
  name: string;
  body: string;
  status: number;
  answer: unknown;
}

const CASES: Case[] = [
  {
    name: '1 success',
    body: '{"jwt":"<token>","currentPassword":"MyOldP@ss!","newPassword":"MyN3wP@ss!"}',
    status: 200,
    answer: { success: true, message: 'Password changed successfully.' },
  },
  {
    name: '2 wrong current password',
    body: '{"jwt":"<token>","currentPassword":"WrongP@ss1!","newPassword":"MyN3wP@ss!"}',
    status: 400,
    answer: { success: false, error: 'Current password is incorrect.' },
  },
  {
    name: '3 same as current',
    body: '{"jwt":"<token>","currentPassword":"MyOldP@ss!","newPassword":"MyOldP@ss!"}',
    status: 400,
    answer: { success: false, error: 'New password must be different from current password.' },
  },
  {
    name: '4 weak new password',
    body: '{"jwt":"<token>","currentPassword":"MyOldP@ss!","newPassword":"weak"}',
    status: 400,
    answer: { success: false, error: 'Password must be at least 8 characters' },
  },
  {
    name: '5 invalid JWT',
    body: '{"jwt":"invalid.jwt.token","currentPassword":"MyOldP@ss!","newPassword":"MyN3wP@ss!"}',
    status: 401,
    answer: { success: false, error: 'Invalid or expired session.' },
  },
  {
    name: '6 invalid schema',
    body: '{"jwt":"<token>","currentPassword":"MyOldP@ss!"}',
    status: 400,
    answer: { valid: false, errors: [{ field: 'newPassword', message: 'newPassword is required' }] },
  },
];

type TokenSource = 'original login, { sub: email }' | 'original login, { email }' | "Rekey's signIn";
const SOURCES: TokenSource[] = ['original login, { sub: email }', 'original login, { email }', "Rekey's signIn"];

/** One adopted account per (token source, case), so no case sees another's change. */
const emailFor = (source: TokenSource, index: number) => `original.${SOURCES.indexOf(source)}.${index}@example.com`;

let database: TestDatabase;
let server: TestServer;
const adoptedHash = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase();
  // A file-backed PGlite (an in-memory one cannot be reopened) or the test's own PostgreSQL database.
  const target = database.databaseUrl ? database : { ...database, pgliteDir: join(mkdtempSync(join(tmpdir(), 'rekey-workflow-')), 'pglite') };
  const original = await openOrm({ databaseUrl: target.databaseUrl, pgliteDir: target.pgliteDir });
  const em = original.em.fork();
  await em.execute(ORIGINAL_TABLE);
  const base = await bcrypt.hash(OLD, 4);
  let row = 0;
  for (const source of SOURCES) {
    for (const [index] of CASES.entries()) {
      const hash = `${PREFIXES[row % PREFIXES.length]}${base.slice(4)}`;
      row += 1;
      adoptedHash.set(emailFor(source, index), hash);
      await em.execute(`insert into "users" ("email", "password") values (?, ?)`, [emailFor(source, index), hash]);
    }
  }
  await original.close(true);
  // Starting Rekey applies its migrations to the original table.
  server = await startTestServer({ LEGACY_JWT_SECRET }, { database: target });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

async function tokenFor(source: TokenSource, email: string): Promise<string> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  if (source === 'original login, { sub: email }') return jwt.sign({ sub: email, exp }, LEGACY_JWT_SECRET, { algorithm: 'HS256' });
  if (source === 'original login, { email }') return jwt.sign({ email, exp }, LEGACY_JWT_SECRET, { algorithm: 'HS256' });
  return expectType(await signIn(server.graphqlUrl, email, OLD), 'AuthPayload').token;
}

async function storedHash(email: string): Promise<string> {
  const [row] = await server.rekey.orm.em.fork().execute<{ password: string }[]>(`select "password" from "users" where "email" = ?`, [email]);
  if (row === undefined) throw new Error(`no row for ${email}`);
  return row.password;
}

describe.each(SOURCES)('the six documented curl tests with a token from %s', (source) => {
  it.each(CASES.map((testCase, index) => ({ ...testCase, index })))('$name', async ({ body, status, answer, index }) => {
    const email = emailFor(source, index);
    const raw = body.replace('<token>', await tokenFor(source, email));
    const response = await fetch(`${server.url}/api/v1/change-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    expect({ status: response.status, body: await response.json() }).toEqual({ status, body: answer });

    const hash = await storedHash(email);
    if (index === 0) {
      // A new bcrypt hash of the new password replaced the adopted one, and it signs in.
      expect(hash).toMatch(/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/);
      expect(hash.slice(7)).not.toBe(adoptedHash.get(email)?.slice(7));
      expect(await bcrypt.compare(NEW, hash)).toBe(true);
      expect(expectType(await signIn(server.graphqlUrl, email, NEW), 'AuthPayload').user.email).toBe(email);
    } else {
      // Nothing changed: the old password still works.
      expect(await bcrypt.compare(OLD, hash.replace(/^\$2y\$/, '$2b$'))).toBe(true);
      expect(await bcrypt.compare(NEW, hash.replace(/^\$2y\$/, '$2b$'))).toBe(false);
    }
  });
});
