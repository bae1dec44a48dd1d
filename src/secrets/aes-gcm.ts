import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Secret } from './secret.ts';

const TAG_BYTES = 16;

/** The parts of an AES-256-GCM sealing; callers choose how they are stored. */
export interface GcmSealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** A 256-bit key for one purpose, derived from a secret (HKDF-SHA-256, the purpose as its label). */
export function deriveKey(secret: Secret, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret.bytes, Buffer.alloc(0), label, 32));
}

/** AES-256-GCM with a random 96-bit IV; `associated` is authenticated, not encrypted (what the plaintext belongs to). */
export function gcmSeal(key: Buffer, plaintext: Buffer, associated: Buffer): GcmSealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associated);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext; throws when any part was altered, or was sealed under another key or with other associated data. */
export function gcmOpen(key: Buffer, { iv, ciphertext, tag }: GcmSealed, associated: Buffer): Buffer {
  // GCM would verify a truncated tag (down to 4 bytes) as well: only the full 16 are accepted.
  if (tag.byteLength !== TAG_BYTES) throw new Error('An AES-GCM tag must be 16 bytes');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associated);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
