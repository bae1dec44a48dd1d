import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyEncryption } from './key-encryption.ts';
import type { NewSigningKey } from './signing-key.repository.ts';

/** The public JWK as published: RFC 7517 members plus `alg`, `use` and `kid`. */
export function publicJwkOf(publicKey: KeyObject, kid: string): Record<string, string> {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kty: String(kty), crv: String(crv), x: String(x), y: String(y), alg: 'ES256', use: 'sig', kid };
}

/** RFC 7638 thumbprint: SHA-256 of the required members in lexical order. */
export function thumbprintOf(publicKey: KeyObject): string {
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/** A fresh P-256 key pair (Node's crypto), its private half sealed for storage. */
export function generateSigningKey(encryption: KeyEncryption, activatesAt: Date): NewSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = thumbprintOf(publicKey);
  return {
    kid,
    algorithm: 'ES256',
    publicJwk: publicJwkOf(publicKey, kid),
    sealedPrivateKey: encryption.seal(kid, privateKey.export({ format: 'der', type: 'pkcs8' })),
    activatesAt,
  };
}
