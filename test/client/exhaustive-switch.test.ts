import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

// The compiler itself is the subject: a switch over ChangePasswordResult with `assertNever` in its
// default branch compiles only when it handles every member the schema has.
const run = promisify(execFile);
const kit = fileURLToPath(new URL('../../client/src/index.ts', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

const MEMBERS = [
  'ChangePasswordSuccess',
  'IncorrectPasswordError',
  'IncorrectSecondFactorError',
  'InvalidSessionError',
  'PasswordReusedError',
  'RateLimitedError',
  'SecondFactorRequiredError',
  'ValidationError',
  'WeakPasswordError',
];

const switchOver = (members: string[]) => `
import { assertNever, type ChangePasswordMutation } from ${JSON.stringify(kit)};
export function describeResult(result: ChangePasswordMutation['changePassword']): string {
  switch (result.__typename) {
${members.map((name) => `    case '${name}': return '${name}';`).join('\n')}
    default: return assertNever(result);
  }
}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rekey-exhaustive-'));
  const compilerOptions = {
    target: 'es2022',
    lib: ['es2022', 'dom'],
    module: 'nodenext',
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['switch.ts'] }));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function compile(source: string): Promise<{ ok: boolean; output: string }> {
  await writeFile(join(dir, 'switch.ts'), source);
  try {
    await run(process.execPath, [tsc, '-p', dir]);
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout) };
  }
}

describe('a switch over ChangePasswordResult', () => {
  it('compiles when it handles every member', async () => {
    expect(await compile(switchOver(MEMBERS))).toEqual({ ok: true, output: '' });
  });

  it('fails to compile when it misses one, naming the missing member', async () => {
    const { ok, output } = await compile(switchOver(MEMBERS.filter((name) => name !== 'RateLimitedError')));
    expect(ok).toBe(false);
    expect(output).toMatch(/switch\.ts\(\d+,\d+\): error TS2345/);
    expect(output).toContain('__typename: "RateLimitedError"');
  });
});
