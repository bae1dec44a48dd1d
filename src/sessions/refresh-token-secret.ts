import { createHash, randomBytes } from 'node:crypto';

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
