import { describe, expect, it } from '@jest/globals';
import { Secret } from '../../src/secrets/secret.ts';
import { SecretBox } from '../../src/second-factor/secret-box.ts';
import { asRecoveryCode, newRecoveryCodes } from '../../src/second-factor/recovery-codes.ts';
import { asTotpCode, newTotpSecret, totpStepOf } from '../../src/second-factor/totp.ts';
import { totpCode } from '../support/totp.ts';

const box = new SecretBox(Secret.fromText('a-totp-encryption-key-of-32-bytes-or-more'));

describe('sealing TOTP secrets (AES-256-GCM)', () => {
  it('opens what it sealed, for the same account only, and never shows the secret', () => {
    const secret = newTotpSecret();
    const sealed = box.seal(secret, 7);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret, 7)).not.toBe(sealed);
    expect(box.open(sealed, 7)).toBe(secret);
    expect(() => box.open(sealed, 8)).toThrow();
  });

  it('refuses an altered ciphertext and another key', () => {
    const sealed = box.seal(newTotpSecret(), 7);
    const [version, iv, tag, body = ''] = sealed.split('.');
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open([version, iv, tag, flipped].join('.'), 7)).toThrow();
    expect(() => new SecretBox(Secret.fromText('another-key-that-is-32-bytes-long!!')).open(sealed, 7)).toThrow();
    expect(() => box.open('garbage', 7)).toThrow();
  });

  it('refuses a truncated tag, which GCM itself would check against only its first bytes', () => {
    const sealed = box.seal(newTotpSecret(), 7);
    const [version, iv, tag = '', body] = sealed.split('.');
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open([version, iv, short, body].join('.'), 7)).toThrow(/cannot be decrypted/);
  });
});

describe('codes', () => {
  it('finds the step of a code within one step either side, and no further', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_015_000;
    const step = Math.floor(now / 30_000);
    for (const offset of [-1, 0, 1]) expect(totpStepOf(secret, totpCode(secret, offset, now), now)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(totpStepOf(secret, totpCode(secret, offset, now), now)).toBeNull();
  });

  it('reads codes as typed: spaces in a TOTP code, dashes and case in a recovery code', () => {
    expect(asTotpCode(' 123 456 ')).toBe('123456');
    expect(asTotpCode('12345')).toBeNull();
    expect(asTotpCode('12345a')).toBeNull();
    const [code = ''] = newRecoveryCodes();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    expect(asRecoveryCode(code.toLowerCase().replace('-', ' '))).toBe(code.replace('-', ''));
    expect(asRecoveryCode('OOOOO-IIIII')).toBeNull();
    expect(new Set(newRecoveryCodes()).size).toBe(10);
    expect(box.hash(code)).toMatch(/^[0-9a-f]{64}$/);
  });
});
