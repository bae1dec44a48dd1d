import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BreachedPasswords } from '../../src/passwords/breached/breached-passwords.ts';
import { BreachLookupError } from '../../src/passwords/breached/breach-lookup.ts';
import { HashFileLookup } from '../../src/passwords/breached/hash-file-lookup.ts';
import { WeakPasswordError } from '../../src/passwords/weak-password-error.ts';
import { ServiceUnavailableError } from '../../src/errors/service-unavailable.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { createRekey } from '../../src/server/runtime.ts';
import { SignUpDocument } from '../generated/graphql.ts';
import { changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { sha1Upper } from '../support/range-server.ts';
import { startTestServer, testEnv, type TestServer } from '../support/server.ts';

const ENTRIES = 1_000_000;
const BREACHED = ['File-Leaked-Passw0rd-1!', 'File-Leaked-Passw0rd-2!'];

interface Corpus {
  path: string;
  first: string;
  middle: string;
  last: string;
  counts: Map<string, number>;
}

/**
 * A sorted corpus in the downloadable format (`<40 hex>:<count>` CRLF lines)
 * of ENTRIES random hashes plus BREACHED's, sorted by construction: the
 * first 32 bits of line i lie in the i-th of ENTRIES equal slices. Written in
 * chunks, so the test itself never holds the file in memory.
 */
async function writeCorpus(directory: string): Promise<Corpus> {
  const path = join(directory, 'pwned-passwords-sha1-ordered-by-hash.txt');
  const out = createWriteStream(path);
  const known = BREACHED.map(sha1Upper).sort();
  const counts = new Map<string, number>(known.map((hash, index) => [hash, 10 + index]));
  const slice = Math.floor(2 ** 32 / ENTRIES);
  let first = '';
  let middle = '';
  let last = '';
  let chunk: string[] = [];
  const emit = (hash: string, count: number) => chunk.push(`${hash}:${count}\r\n`);
  for (let i = 0; i < ENTRIES; i += 1) {
    const top = (i * slice + randomInt(slice)).toString(16).toUpperCase().padStart(8, '0');
    const hash = top + randomBytes(16).toString('hex').toUpperCase();
    while (known.length > 0 && (known[0] as string) < hash) {
      const next = known.shift() as string;
      emit(next, counts.get(next) as number);
    }
    const count = 1 + randomInt(100_000);
    emit(hash, count);
    if (i === 0) first = hash;
    if (i === ENTRIES / 2) middle = hash;
    if (i === ENTRIES - 1) last = hash;
    if (i === 0 || i === ENTRIES / 2 || i === ENTRIES - 1) counts.set(hash, count);
    if (chunk.length >= 20_000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  for (const hash of known) emit(hash, counts.get(hash) as number);
  out.end(chunk.join(''));
  await once(out, 'finish');
  return { path, first, middle, last, counts };
}

/** The hash one more than `hash` in its last hex digit position (carrying), so it sorts right after it. */
function successor(hash: string): string {
  return (BigInt(`0x${hash}`) + 1n).toString(16).toUpperCase().padStart(40, '0');
}

let directory: string;
let corpus: Corpus;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'rekey-breached-'));
  corpus = await writeCorpus(directory);
}, 120_000);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('a sorted hash file of 1,000,000 entries', () => {
  let lookup: HashFileLookup;
  beforeAll(async () => {
    lookup = await HashFileLookup.open(corpus.path);
  });
  afterAll(() => lookup.close());

  it('finds the first, middle and last entries and the inserted ones, with their counts', async () => {
    for (const hash of [corpus.first, corpus.middle, corpus.last, ...BREACHED.map(sha1Upper)]) {
      expect(await lookup.count(hash)).toBe(corpus.counts.get(hash));
    }
  });

  it('misses before the first, after the last and between entries', async () => {
    for (const hash of ['0'.repeat(40), 'F'.repeat(40), successor(corpus.first), successor(corpus.middle), successor(corpus.last)]) {
      expect(await lookup.count(hash)).toBe(0);
    }
  });

  it('reads O(log n) small pieces per lookup', async () => {
    const before = lookup.reads;
    await lookup.count(successor(corpus.middle));
    // log2 of about 48 MB is 26; each step is one read.
    expect(lookup.reads - before).toBeLessThanOrEqual(30);
  });

  it('keeps memory flat: the file is never loaded', async () => {
    const before = process.memoryUsage();
    const fresh = await HashFileLookup.open(corpus.path);
    for (let i = 0; i < 300; i += 1) await fresh.count(randomBytes(20).toString('hex').toUpperCase());
    await fresh.close();
    const after = process.memoryUsage();
    expect(after.rss - before.rss).toBeLessThan(20 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(20 * 1024 * 1024);
  });
});

describe('BREACHED_PASSWORDS=file:<path> in the server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ BREACHED_PASSWORDS: `file:${corpus.path}` });
  });
  afterAll(() => server.close());

  it('refuses a breached password at sign-up and (after the current password) at change', async () => {
    const { data } = await graphql(server.graphqlUrl, SignUpDocument, { input: { email: uniqueEmail(), password: BREACHED[0] as string } });
    expect(data?.signUp).toMatchObject({ __typename: 'WeakPasswordError', message: 'Password has appeared in a data breach' });

    const account = await signUp(server.graphqlUrl);
    const refused = await changePassword(server.graphqlUrl, account.token, { currentPassword: account.password, newPassword: BREACHED[1] as string });
    expect(refused).toMatchObject({ __typename: 'WeakPasswordError', violations: [{ rule: 'BREACHED' }] });
    const changed = await changePassword(server.graphqlUrl, account.token, { currentPassword: account.password, newPassword: 'Not-In-The-File-7!' });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
  });
});

describe('a file that is not a sorted hash list', () => {
  const write = (name: string, text: string) => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['empty', ''],
    ['not hashes', 'password123\r\nletmein\r\n'],
    ['NTLM (32 hex)', `${'A'.repeat(32)}:3\r\n${'B'.repeat(32)}:4\r\n`],
    ['not sorted', `${'B'.repeat(40)}:3\r\n${'A'.repeat(40)}:4\r\n`],
  ])('stops the server at start with a line naming BREACHED_PASSWORDS (%s)', async (name, text) => {
    const path = write(`bad-${name.replace(/\W/g, '')}.txt`, text);
    // The corpus is opened before the database: nothing is created for a start that fails.
    await expect(createRekey(loadConfig(testEnv({ BREACHED_PASSWORDS: `file:${path}` })))).rejects.toThrow(/^Invalid configuration: BREACHED_PASSWORDS file .* is not a list/);
  });

  it('a malformed line met during a lookup follows BREACHED_PASSWORDS_ON_ERROR', async () => {
    const path = write('corrupt-middle.txt', `${'1'.repeat(40)}:3\r\n${'5'.repeat(39)}Z:4\r\n${'9'.repeat(40)}:5\r\n`);
    const lines: string[] = [];
    const log = createLogger('warn', (_level, line) => lines.push(line));

    const direct = await HashFileLookup.open(path);
    await expect(direct.count('5'.repeat(40))).rejects.toBeInstanceOf(BreachLookupError);
    await direct.close();

    const allow = new BreachedPasswords(await HashFileLookup.open(path), { onError: 'allow', log });
    await expect(allow.enforce('Whatever-Passw0rd!')).resolves.toBeUndefined();
    expect(allow.counters).toMatchObject({ checks: 1, allowedOnError: 1, errors: { malformed: 1 } });
    expect(lines.join('\n')).not.toContain('Whatever-Passw0rd!');
    await allow.close();

    const refuse = new BreachedPasswords(await HashFileLookup.open(path), { onError: 'refuse', log });
    await expect(refuse.enforce('Whatever-Passw0rd!')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(refuse.counters.refusedOnError).toBe(1);
    await refuse.close();
  });

  it('a hit is a WeakPasswordError with the BREACHED rule', async () => {
    const hash = sha1Upper('Tiny-Corpus-Passw0rd!');
    const path = write('tiny.txt', `${'0'.repeat(40)}:1\n${hash}:7\n${'F'.repeat(40)}:1\n`);
    const check = new BreachedPasswords(await HashFileLookup.open(path), { onError: 'refuse', log: createLogger('silent') });
    const failure = await check.enforce('Tiny-Corpus-Passw0rd!').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WeakPasswordError);
    expect((failure as WeakPasswordError).violations).toEqual([{ rule: 'BREACHED', message: 'Password has appeared in a data breach' }]);
    await expect(check.enforce('Tiny-Corpus-Passw0rd?')).resolves.toBeUndefined();
    await check.close();
  });
});
