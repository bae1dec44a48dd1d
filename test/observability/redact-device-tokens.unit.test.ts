import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DeviceTokenSigner } from '../../src/devices/device-token-signer.ts';
import { redact } from '../../src/observability/logging.ts';
import { Secret } from '../../src/secrets/secret.ts';

const token = new DeviceTokenSigner(Secret.fromText('device-token-secret-of-at-least-32-bytes')).sign({ deviceId: randomUUID(), userId: 7 });

describe('redact removes device tokens', () => {
  it.each([
    ['the cookie header', `cookie: rekey_refresh=abc; rekey_device=${token}`],
    ['a Set-Cookie header', `set-cookie: rekey_device=${token}; Max-Age=31536000; Path=/graphql; HttpOnly; SameSite=Strict`],
    ['a __Secure- cookie (HTTPS)', `cookie: __Secure-rekey_refresh=abc; __Secure-rekey_device=${token}`],
    ['GraphQL arguments', `signIn(input: { email: "a@example.com", password: "x", deviceToken: "${token}" })`],
    ['free text', `presented ${token} for a@example.com`],
  ])('%s', (_shape, line) => {
    expect(redact(line)).not.toContain(token.split('.')[3]);
  });
});
