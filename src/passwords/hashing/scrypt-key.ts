import { scrypt, timingSafeEqual } from 'node:crypto';
import { HASH_LIMITS } from './hash-limits.ts';

export interface ScryptParameters {
  n: number;
  r: number;
  p: number;
}

/** Node's scrypt on the libuv pool, allowed the memory HASH_LIMITS admits (callers check the parameters first). */
export function scryptKey(password: string | Buffer, salt: Buffer | string, keyBytes: number, { n, r, p }: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { N: n, r, p, maxmem: HASH_LIMITS.scryptMemoryBytes + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Constant-time equality of a derived key with the stored one. */
export function sameKey(derived: Buffer, stored: Buffer): boolean {
  return derived.length === stored.length && timingSafeEqual(derived, stored);
}
