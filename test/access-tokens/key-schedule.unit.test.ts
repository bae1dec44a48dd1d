import { describe, expect, it } from '@jest/globals';
import { Secret } from '../../src/secrets/secret.ts';
import { KeyDecryptionError, KeyEncryption } from '../../src/access-tokens/key-encryption.ts';
import { CLOCK_LEEWAY_MS, keyRefreshIntervalMs, keyStates } from '../../src/access-tokens/key-schedule.ts';

const at = (ms: number) => new Date(ms);
const settings = { tokenTtlMs: 900_000, refreshMs: 30_000 };

describe('the key schedule', () => {
  const first = { kid: 'a', sequence: 1, activatesAt: at(0) };
  const second = { kid: 'b', sequence: 2, activatesAt: at(600_000) };
  const statesAt = (now: number) => keyStates([second, first], now, settings).map(({ key, state, retiresAt }) => [key.kid, state, retiresAt?.getTime() ?? null]);

  it('publishes a rotated-in key before it signs, and keeps the old one until its last token has expired', () => {
    expect(statesAt(1_000)).toEqual([
      ['a', 'active', null],
      ['b', 'next', null],
    ]);
    const retires = 600_000 + 30_000 + 900_000 + CLOCK_LEEWAY_MS;
    expect(statesAt(600_000)).toEqual([
      ['a', 'previous', retires],
      ['b', 'active', null],
    ]);
    expect(statesAt(retires - 1)[0]?.[1]).toBe('previous');
    expect(statesAt(retires)[0]?.[1]).toBe('retired');
  });

  it('breaks ties of activation by creation order', () => {
    const twin = { kid: 'c', sequence: 3, activatesAt: at(0) };
    expect(keyStates([twin, first], 1, settings).map(({ key, state }) => [key.kid, state])).toEqual([
      ['a', 'previous'],
      ['c', 'active'],
    ]);
  });

  it('rereads the key set every tenth of the activation delay, at most every 30 seconds', () => {
    expect(keyRefreshIntervalMs(2_000)).toBe(200);
    expect(keyRefreshIntervalMs(600_000)).toBe(30_000);
  });
});

describe('sealing private keys', () => {
  const sealing = new KeyEncryption(Secret.fromText('unit-test-secret-that-is-at-least-32-bytes'));
  const plaintext = Buffer.from('a private key in PKCS#8');

  it('opens what it sealed, and the sealed form shows nothing of it', () => {
    const sealed = sealing.seal('kid-1', plaintext);
    expect(sealing.open('kid-1', sealed)).toEqual(plaintext);
    expect(sealed).not.toContain(plaintext.toString('base64url'));
    expect(sealing.seal('kid-1', plaintext)).not.toBe(sealed);
  });

  it('refuses another secret, another kid (a swapped row) and any altered byte', () => {
    const sealed = sealing.seal('kid-1', plaintext);
    const other = new KeyEncryption(Secret.fromText('another-secret-that-is-at-least-32-bytes'));
    expect(() => other.open('kid-1', sealed)).toThrow(KeyDecryptionError);
    expect(() => sealing.open('kid-2', sealed)).toThrow(KeyDecryptionError);
    // The tag's second-to-last character, changed whatever it was (choosing by another character left it as it was 1 time in 64).
    const altered = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => sealing.open('kid-1', altered)).toThrow(KeyDecryptionError);
    expect(() => sealing.open('kid-1', 'v2.x.y.z')).toThrow(KeyDecryptionError);
  });
});
