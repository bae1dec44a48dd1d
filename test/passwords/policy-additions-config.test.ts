import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('BREACHED_PASSWORDS* and PASSWORD_HISTORY configuration', () => {
  it('is off by default', () => {
    expect(loadConfig({})).toMatchObject({
      breachedPasswords: { source: { kind: 'off' }, timeoutMs: 2_000, onError: 'allow' },
      passwordHistory: 0,
    });
  });

  it('reads a range API base URL (trailing slash dropped), a file, a timeout, a failure mode and a history size', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rekey-config-')), 'corpus.txt');
    writeFileSync(file, `${'A'.repeat(40)}:1\n`);
    expect(
      loadConfig({
        BREACHED_PASSWORDS: 'https://api.pwnedpasswords.com/range/',
        BREACHED_PASSWORDS_TIMEOUT: '500ms',
        BREACHED_PASSWORDS_ON_ERROR: 'refuse',
        PASSWORD_HISTORY: '5',
      }),
    ).toMatchObject({
      breachedPasswords: { source: { kind: 'range-api', baseUrl: 'https://api.pwnedpasswords.com/range' }, timeoutMs: 500, onError: 'refuse' },
      passwordHistory: 5,
    });
    expect(loadConfig({ BREACHED_PASSWORDS: `file:${file}` }).breachedPasswords.source).toEqual({ kind: 'file', path: file });
  });

  it.each([
    [{ BREACHED_PASSWORDS: 'on' }, /^Invalid configuration: BREACHED_PASSWORDS must be off, a range API base URL/],
    [{ BREACHED_PASSWORDS: 'ftp://example.com/range' }, /^Invalid configuration: BREACHED_PASSWORDS must be/],
    [{ BREACHED_PASSWORDS: 'https://example.com/range?key=1' }, /^Invalid configuration: BREACHED_PASSWORDS must be/],
    [{ BREACHED_PASSWORDS: 'file:/nonexistent/pwned.txt' }, /^Invalid configuration: BREACHED_PASSWORDS file cannot be read \(\/nonexistent\/pwned.txt\)$/],
    [{ BREACHED_PASSWORDS_TIMEOUT: 'soon' }, /^Invalid configuration: BREACHED_PASSWORDS_TIMEOUT must be a duration/],
    [{ BREACHED_PASSWORDS_TIMEOUT: '5m' }, /^Invalid configuration: BREACHED_PASSWORDS_TIMEOUT/],
    [{ BREACHED_PASSWORDS_ON_ERROR: 'ignore' }, /^Invalid configuration: BREACHED_PASSWORDS_ON_ERROR must be allow or refuse$/],
    [{ PASSWORD_HISTORY: '-1' }, /^Invalid configuration: PASSWORD_HISTORY must be a whole number from 0 to 24$/],
    [{ PASSWORD_HISTORY: '25' }, /^Invalid configuration: PASSWORD_HISTORY must be from 0 to 24$/],
  ])('refuses %p with one line naming the variable', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(pattern);
  });
});
