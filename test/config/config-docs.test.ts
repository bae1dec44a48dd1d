import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { renderConfigDocs } from '../../src/config/config-docs.ts';
import { VARIABLE_GROUPS } from '../../src/config/variables.ts';

const documented = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const declared = VARIABLE_GROUPS.flatMap((group) => Object.keys(group.variables));

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` prints from the variable tables', () => {
    expect(documented).toBe(renderConfigDocs());
  });

  it('lists every declared variable once, and nothing else', () => {
    const rows = [...documented.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
    expect(rows).toEqual(declared);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('gives every variable a description', () => {
    for (const group of VARIABLE_GROUPS) {
      for (const [name, variable] of Object.entries(group.variables)) {
        expect([name, variable.description.trim().length > 0]).toEqual([name, true]);
      }
    }
  });
});

describe('the variable table', () => {
  it('holds defaults that its own parsers accept', () => {
    expect(() => loadConfig({})).not.toThrow();
  });

  it.each([
    ['JWT_SECRET', {}],
    ['LEGACY_JWT_SECRET', {}],
    ['WEBHOOK_SECRET', { WEBHOOK_URL: 'https://hooks.example.com/rekey' }],
  ])('refuses %s shorter than 32 bytes with the one secret check', (name, env) => {
    expect(() => loadConfig({ ...env, [name]: 'x'.repeat(31) })).toThrow(`Invalid configuration: ${name} must be at least 32 bytes`);
    expect(() => loadConfig({ ...env, [name]: 'x'.repeat(32) })).not.toThrow();
  });

  it('reads REDIS_TIMEOUT (default 2 s)', () => {
    expect(loadConfig({}).redisTimeoutMs).toBe(2_000);
    expect(loadConfig({ REDIS_TIMEOUT: '500ms' }).redisTimeoutMs).toBe(500);
    expect(() => loadConfig({ REDIS_TIMEOUT: 'never' })).toThrow(/^Invalid configuration: REDIS_TIMEOUT must be a duration/);
  });
});
