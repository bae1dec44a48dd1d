import { defineEntity, p } from '@mikro-orm/core';

/**
 * One token signing key pair shared by every instance. The public half is
 * published as a JWK; the private half is stored only sealed with the
 * server secret (key-encryption.ts), so a database dump holds no usable key.
 */
export const SigningKeySchema = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    /** The RFC 7638 thumbprint of the public key: the `kid` of every token it signs. */
    kid: p.string().length(64).primary(),
    /** Creation order; unique, so two instances making the first key at once cannot both succeed. */
    sequence: p.integer().unique(),
    algorithm: p.string().length(16),
    /** The public JWK, as published. */
    publicJwk: p.json<Record<string, string>>(),
    /** `v1.<iv>.<ciphertext>.<tag>`: the PKCS#8 private key, AES-256-GCM with a key from SERVER_SECRET. */
    sealedPrivateKey: p.text().hidden(),
    createdAt: p.datetime().defaultRaw('now()'),
    /** Instances sign with it from this moment; it is published from creation. */
    activatesAt: p.datetime(),
  },
});

export class SigningKey extends SigningKeySchema.class {}
SigningKeySchema.setClass(SigningKey);
