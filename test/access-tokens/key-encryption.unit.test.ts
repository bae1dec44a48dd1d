import { describe, expect, it } from '@jest/globals';
import { KeyDecryptionError, KeyEncryption } from '../../src/access-tokens/key-encryption.ts';
import { Secret } from '../../src/secrets/secret.ts';

describe('sealing signing keys (AES-256-GCM, the key id bound in)', () => {
  const keys = new KeyEncryption(Secret.fromText('a-server-secret-that-is-32-bytes-long'));

  it('opens what it sealed under the same key id only, and refuses a truncated tag', () => {
    const sealed = keys.seal('kid-1', Buffer.from('private key'));
    expect(keys.open('kid-1', sealed).toString()).toBe('private key');
    expect(() => keys.open('kid-2', sealed)).toThrow(KeyDecryptionError);
    const [version, iv, body, tag = ''] = sealed.split('.');
    const short = Buffer.from(tag, 'base64url').subarray(0, 8).toString('base64url');
    expect(() => keys.open('kid-1', [version, iv, body, short].join('.'))).toThrow(KeyDecryptionError);
  });
});
