import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/** Ours are 43 characters; anything much longer is refused unread. */
export const MAX_REFRESH_TOKEN_LENGTH = 256;

/** SHA-256 is enough here: the token has 256 random bits, so there is nothing to guess or stretch. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new opaque refresh token (256 random bits, base64url) and the hash under which it is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

const SEAL_INFO = 'rekey refresh-token successor';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM key that only the holder of `token` can derive (independent of its stored SHA-256 hash). */
function successorKey(token: string): Buffer {
  return Buffer.from(hkdfSync('sha256', token, Buffer.alloc(0), SEAL_INFO, 32));
}

/**
 * The successor of a traded-in token, stored beside the spent token's hash so
 * that a replay within REFRESH_REUSE_GRACE can be answered with the same
 * successor (docs/design/sessions.md#one-chain-per-session). Sealed with a key
 * derived from the spent token: the database alone (a leak) opens nothing.
 */
export function sealSuccessor(spentToken: string, successor: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', successorKey(spentToken), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The successor sealed by sealSuccessor, or null when `sealed` was not sealed with `spentToken`. */
export function openSuccessor(spentToken: string, sealed: string): string | null {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', successorKey(spentToken), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
