import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { MeDocument } from '../generated/graphql.ts';
import { AccountImport, type RowOutcome } from '../../src/import/account-import.ts';
import { SOURCE_FORMATS, type SourceFormatName } from '../../src/import/source-formats.ts';
import { PasswordHasher } from '../../src/passwords/hashing/password-hasher.ts';
import { signIn, uniqueEmail } from '../support/accounts.ts';
import { FIREBASE_VECTOR, FOREIGN_HASHES } from '../support/foreign-hashes.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PASSWORD = 'Brought-Along-8';
const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ BCRYPT_COST: '4', LEGACY_JWT_SECRET, ...FIREBASE_VECTOR.env });
  dir = mkdtempSync(join(tmpdir(), 'rekey-import-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function exportFile(name: string, content: string): string {
  files += 1;
  const path = join(dir, `${files}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function importFile(format: SourceFormatName, path: string, dryRun = false): Promise<{ outcomes: RowOutcome[]; importer: AccountImport }> {
  const hasher = new PasswordHasher(4, { firebase: server.config.firebaseScrypt });
  const importer = new AccountImport(server.rekey.orm.em.fork(), hasher, { dryRun });
  const outcomes: RowOutcome[] = [];
  for await (const batch of importer.run(await SOURCE_FORMATS[format].read(path), SOURCE_FORMATS[format])) outcomes.push(...batch);
  return { outcomes, importer };
}

async function expectSignsInAndRehashes(email: string, password: string): Promise<void> {
  expectType(await signIn(server.graphqlUrl, email, 'Wrong-Pass-123'), 'InvalidCredentialsError');
  expectType(await signIn(server.graphqlUrl, email, password), 'AuthPayload');
  const [row] = await server.rekey.orm.em.fork().execute<{ password: string }[]>('select "password" from "users" where "email" = ?', [email]);
  expect(row?.password).toMatch(/^\$2b\$04\$/);
}

const csvLine = (...cells: string[]) => cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',');

describe('importing each source system’s export', () => {
  it('an imported account refuses tokens the original login issued before it existed (to an earlier account with the address)', async () => {
    const email = uniqueEmail('legacy');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const earlier = jwt.sign({ sub: email, iat: nowSeconds - 5, exp: nowSeconds + 3600 }, LEGACY_JWT_SECRET);
    const path = exportFile('legacy.csv', `email,password_hash\n${csvLine(email, await bcrypt.hash(PASSWORD, 4))}\n`);
    expect((await importFile('csv', path)).outcomes).toEqual([{ row: 1, email, outcome: 'imported', format: 'bcrypt' }]);
    const me = async (token: string) => (await run(server.graphqlUrl, MeDocument, {}, { token })).me;
    expect(await me(earlier)).toBeNull();
    expect((await me(jwt.sign({ sub: email, exp: nowSeconds + 3600 }, LEGACY_JWT_SECRET)))?.email).toBe(email);
  });

  it('Auth0: the bulk export’s NDJSON with passwordHash', async () => {
    const email = uniqueEmail('auth0');
    const hash = await bcrypt.hash(PASSWORD, 6);
    const path = exportFile('auth0.ndjson', `${JSON.stringify({ user_id: 'auth0|1', email, email_verified: true, passwordHash: hash })}\n`);
    const { outcomes } = await importFile('auth0', path);
    expect(outcomes).toEqual([{ row: 1, email, outcome: 'imported', format: 'bcrypt' }]);
    await expectSignsInAndRehashes(email, PASSWORD);
  });

  it('Firebase: auth:export JSON, verified with the project’s parameters (its published test vector)', async () => {
    const email = uniqueEmail('firebase');
    const users = [{ localId: 'u1', email, passwordHash: FIREBASE_VECTOR.hash, salt: FIREBASE_VECTOR.salt, createdAt: '1' }];
    const { outcomes } = await importFile('firebase', exportFile('firebase.json', JSON.stringify({ users })));
    expect(outcomes).toEqual([{ row: 1, email, outcome: 'imported', format: 'firebase-scrypt' }]);
    await expectSignsInAndRehashes(email, FIREBASE_VECTOR.password);
  });

  it('Supabase: auth.users as CSV, the encrypted_password column', async () => {
    const email = uniqueEmail('supabase');
    const path = exportFile('supabase.csv', `id,email,encrypted_password\n${csvLine('b9c…', email, await bcrypt.hash(PASSWORD, 6))}\n`);
    expect((await importFile('supabase', path)).outcomes).toEqual([{ row: 1, email, outcome: 'imported', format: 'bcrypt' }]);
    await expectSignsInAndRehashes(email, PASSWORD);
  });

  it('Better Auth: user joined with account rows, hashed by Better Auth itself', async () => {
    const email = uniqueEmail('better-auth');
    const social = uniqueEmail('github');
    const rows = [
      { id: 'u1', email, providerId: 'credential', password: await FOREIGN_HASHES['Better Auth']!(PASSWORD) },
      { id: 'u2', email: social, providerId: 'github', password: null },
    ];
    const { outcomes } = await importFile('better-auth', exportFile('better-auth.json', JSON.stringify(rows)));
    expect(outcomes).toEqual([
      { row: 1, email, outcome: 'imported', format: 'better-auth-scrypt' },
      { row: 2, email: social, outcome: 'refused', reason: 'not a password account (provider github)' },
    ]);
    await expectSignsInAndRehashes(email, PASSWORD);
  });

  it('Django: dumpdata auth.user, PBKDF2 and bcrypt_sha256, an unusable password refused', async () => {
    const [pbkdf2, bcryptSha256, unusable] = [uniqueEmail('django'), uniqueEmail('django'), uniqueEmail('django')];
    const dump = [
      { model: 'auth.user', pk: 1, fields: { username: 'a', email: pbkdf2, password: await FOREIGN_HASHES['Django pbkdf2_sha256']!(PASSWORD) } },
      { model: 'auth.user', pk: 2, fields: { username: 'b', email: bcryptSha256, password: await FOREIGN_HASHES['Django bcrypt_sha256']!(PASSWORD) } },
      { model: 'auth.user', pk: 3, fields: { username: 'c', email: unusable, password: '!Xk3kq9y1Zz' } },
    ];
    const { outcomes } = await importFile('django', exportFile('django.json', JSON.stringify(dump)));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['imported', 'imported', 'refused']);
    await expectSignsInAndRehashes(pbkdf2, PASSWORD);
    await expectSignsInAndRehashes(bcryptSha256, PASSWORD);
  });

  it('CSV: email and password_hash in any format Rekey verifies (argon2id, scrypt PHC)', async () => {
    const [argon, scrypt] = [uniqueEmail('csv'), uniqueEmail('csv')];
    const path = exportFile(
      'any.csv',
      `email,password_hash\n${csvLine(argon, await FOREIGN_HASHES.argon2id!(PASSWORD))}\n${csvLine(scrypt, await FOREIGN_HASHES['scrypt PHC']!(PASSWORD))}\n`,
    );
    expect((await importFile('csv', path)).outcomes.map((outcome) => outcome.outcome)).toEqual(['imported', 'imported']);
    await expectSignsInAndRehashes(argon, PASSWORD);
    await expectSignsInAndRehashes(scrypt, PASSWORD);
  });
});

describe('what an import refuses, skips and records', () => {
  it('lower-cases addresses and refuses the later of two that collide, plain text, unknown and hostile hashes', async () => {
    const email = uniqueEmail('Mixed');
    const hash = await bcrypt.hash(PASSWORD, 4);
    const hostile = `$argon2id$v=19$m=4294967295,t=1000000,p=1$c2FsdHNhbHRzYWx0$${'A'.repeat(43)}`;
    const rows = [
      csvLine(email.toUpperCase(), hash),
      csvLine(email, hash),
      csvLine(uniqueEmail('plain'), 'hunter2-plain-text'),
      csvLine(uniqueEmail('hostile'), hostile),
      csvLine('not-an-address', hash),
    ];
    const { outcomes, importer } = await importFile('csv', exportFile('refusals.csv', `email,password_hash\n${rows.join('\n')}\n`));
    expect(outcomes.map((outcome) => [outcome.outcome, 'reason' in outcome ? outcome.reason : outcome.email])).toEqual([
      ['imported', email.toLowerCase()],
      ['refused', 'the same address as row 1 once lower-cased'],
      ['refused', 'not a password hash Rekey verifies (plain-text passwords are never imported)'],
      ['refused', expect.stringContaining('argon2 memory out of range')],
      ['refused', 'not an email address'],
    ]);
    expect(importer.summary).toEqual({ rows: 5, imported: 1, existing: 0, refused: 4, dryRun: false });
    expect(JSON.stringify(outcomes)).not.toContain(hash);
  });

  it('refuses a plain-text password field outright', async () => {
    const path = exportFile('plain.ndjson', `${JSON.stringify({ email: uniqueEmail('plain'), password: 'Correct-Horse-9' })}\n`);
    expect((await importFile('auth0', path)).outcomes[0]).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('plain-text password') });
  });

  it('is safe to run twice: the second run skips every account, and each import records one ACCOUNT_IMPORTED', async () => {
    const emails = [uniqueEmail('twice'), uniqueEmail('twice')];
    const hash = await bcrypt.hash(PASSWORD, 4);
    const path = exportFile('twice.csv', `email,password_hash\n${emails.map((email) => csvLine(email, hash)).join('\n')}\n`);

    const dry = await importFile('csv', path, true);
    expect(dry.importer.summary).toMatchObject({ imported: 2, existing: 0, dryRun: true });
    expect(await accountsNamed(emails)).toBe(0);

    expect((await importFile('csv', path)).importer.summary).toMatchObject({ imported: 2, existing: 0 });
    expect((await importFile('csv', path)).importer.summary).toMatchObject({ imported: 0, existing: 2 });
    const events = await server.rekey.orm.em.fork().execute<{ kind: string }[]>(
      'select e."kind" from "security_events" e join "users" u on u."id" = e."user_id" where u."email" in (?, ?)',
      emails,
    );
    expect(events.map((event) => event.kind)).toEqual(['ACCOUNT_IMPORTED', 'ACCOUNT_IMPORTED']);
  });
});

async function accountsNamed(emails: string[]): Promise<number> {
  const [row] = await server.rekey.orm.em.fork().execute<{ count: string | number }[]>(
    `select count(*) as "count" from "users" where "email" in (${emails.map(() => '?').join(', ')})`,
    emails,
  );
  return Number(row?.count ?? 0);
}
