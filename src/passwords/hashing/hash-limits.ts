/**
 * The most a stored hash may ask for before it is refused rather than run:
 * a hash is data from another system, and its parameters decide how much
 * memory and time a check takes (and, through timing parity, every wrong
 * password's price). Each bound sits well above what the systems Rekey
 * imports from use by default (docs/design/foreign-hashes.md).
 */
export const HASH_LIMITS = {
  /** bcrypt cost (about 3 s a compare here; the formats' defaults are 10–12). */
  bcryptCost: 16,
  /** argon2 memory in KiB (256 MiB; OWASP's suggestions are 19–47 MiB). */
  argon2MemoryKiB: 256 * 1024,
  /** argon2 passes. */
  argon2TimeCost: 16,
  /** argon2 lanes. */
  argon2Parallelism: 16,
  /** scrypt memory, 128·N·r bytes (256 MiB). */
  scryptMemoryBytes: 256 * 1024 * 1024,
  /** scrypt work, N·r·p (Better Auth's default is 2^18, Firebase's 2^17). */
  scryptWork: 2 ** 22,
  /** PBKDF2 iterations (Django 6 uses 1.2 million). */
  pbkdf2Iterations: 3_000_000,
  /** Bytes of a derived key a stored hash may ask for. */
  derivedKeyBytes: 128,
} as const;

/** Why scrypt parameters are refused, or null when they may run. */
export function scryptRefusal(n: number, r: number, p: number, keyBytes: number): string | null {
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) return 'scrypt N is not a power of two';
  if (!Number.isSafeInteger(r) || !Number.isSafeInteger(p) || r < 1 || p < 1) return 'scrypt r and p must be positive';
  if (128 * n * r > HASH_LIMITS.scryptMemoryBytes) return `scrypt asks for more than ${HASH_LIMITS.scryptMemoryBytes / 2 ** 20} MiB`;
  if (n * r * p > HASH_LIMITS.scryptWork) return 'scrypt asks for more work than allowed';
  if (keyBytes < 16 || keyBytes > HASH_LIMITS.derivedKeyBytes) return 'scrypt key length out of range';
  return null;
}
