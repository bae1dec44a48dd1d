import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DeviceTokenSigner, MAX_DEVICE_TOKEN_LENGTH } from '../../src/devices/device-token-signer.ts';
import { Secret } from '../../src/secrets/secret.ts';

const signer = new DeviceTokenSigner(Secret.fromText('device-token-secret-of-at-least-32-bytes'));

describe('device token signatures', () => {
  it('reads back what it signed', () => {
    const claims = { deviceId: randomUUID(), userId: 42 };
    const token = signer.sign(claims);
    expect(token).toMatch(/^d1\.[0-9a-f-]{36}\.42\.[\w-]{43}$/);
    expect(signer.read(token)).toEqual(claims);
  });

  it('refuses a token signed with another secret (a rotated JWT secret voids device tokens)', () => {
    const other = new DeviceTokenSigner(Secret.fromText('another-secret-that-is-at-least-32-bytes'));
    expect(signer.read(other.sign({ deviceId: randomUUID(), userId: 42 }))).toBeNull();
  });

  it('refuses any altered part', () => {
    const token = signer.sign({ deviceId: randomUUID(), userId: 42 });
    const [version, deviceId, , signature] = token.split('.') as [string, string, string, string];
    expect(signer.read([version, deviceId, '43', signature].join('.'))).toBeNull();
    expect(signer.read([version, randomUUID(), '42', signature].join('.'))).toBeNull();
    expect(signer.read(['d2', deviceId, '42', signature].join('.'))).toBeNull();
    expect(signer.read(`${token}=`)).toBeNull();
    // The last character carries 2 unused bits: a variant that decodes to the same bytes is still refused.
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(Buffer.from(signature.slice(0, -1) + sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(signer.read([version, deviceId, '42', signature.slice(0, -1) + sameBytes].join('.'))).toBeNull();
  });

  it.each([null, undefined, '', 'garbage', 'd1...', 'd1.'.padEnd(MAX_DEVICE_TOKEN_LENGTH + 1, 'x')])('ignores %p', (token) => {
    expect(signer.read(token)).toBeNull();
  });

  it('needs a secret of at least 32 bytes', () => {
    expect(() => new DeviceTokenSigner(Secret.fromText('short'))).toThrow(/32 bytes/);
  });
});
