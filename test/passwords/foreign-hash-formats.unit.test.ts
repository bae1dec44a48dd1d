import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';
import { hashPassword as betterAuthHash } from 'better-auth/crypto';
import { firebaseStoredHash } from '../../src/passwords/hashing/firebase-scrypt-format.ts';
import { PasswordHasher } from '../../src/passwords/hashing/password-hasher.ts';
import { Secret } from '../../src/secrets/secret.ts';

const PASSWORD = 'Correct-Horse-7';

/** Firebase's published parameters and test vector (the firebase/scrypt README). */
export const FIREBASE_VECTOR = {
  parameters: {
    signerKey: Secret.fromBytes(Buffer.from('jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==', 'base64')),
    saltSeparator: Buffer.from('Bw==', 'base64'),
    rounds: 8,
    memCost: 14,
  },
  salt: '42xEC+ixf3L2lw==',
  password: 'user1password',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
};

const hasher = new PasswordHasher(4, { firebase: FIREBASE_VECTOR.parameters });

/** Each format's hash of PASSWORD, made by the source system's own algorithm. */
const fixtures: Record<string, () => Promise<string>> = {
  argon2id: () => argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  argon2i: () => argon2.hash(PASSWORD, { type: argon2.argon2i, memoryCost: 4_096, timeCost: 3, parallelism: 1 }),
  // passlib's PHC form: ln=log2 N, unpadded base64.
  'scrypt PHC': async () => {
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    return `$scrypt$ln=14,r=8,p=1$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
  },
  'Better Auth': () => betterAuthHash(PASSWORD),
  'Django pbkdf2_sha256': async () => {
    const salt = 'UtQ0aUQ4cJlOrw8gvZbSJH';
    return `pbkdf2_sha256$100000$${salt}$${pbkdf2Sync(PASSWORD, salt, 100_000, 32, 'sha256').toString('base64')}`;
  },
  'Django bcrypt_sha256': async () => `bcrypt_sha256$${await bcrypt.hash(createHash('sha256').update(PASSWORD).digest('hex'), 5)}`,
};

describe('hashes made by other systems', () => {
  for (const [name, make] of Object.entries(fixtures)) {
    it(`verifies ${name}, refuses a wrong password, and asks for a rehash to bcrypt`, async () => {
      const stored = await make();
      expect(hasher.describe(stored)).toEqual({ format: expect.any(String), refusal: null });
      expect(await hasher.verify(PASSWORD, stored, false)).toBe('match');
      expect(await hasher.verify('Wrong-Horse-7', stored, false)).toBe('mismatch');
      expect(hasher.needsRehash(stored, 'match', false)).toBe(true);
      expect(await hasher.matchesFormer(PASSWORD, stored)).toBe(true);
    });
  }

  it("verifies Firebase's published test vector with the project's parameters", async () => {
    const stored = firebaseStoredHash(FIREBASE_VECTOR.salt, FIREBASE_VECTOR.hash);
    expect(hasher.describe(stored)?.format).toBe('firebase-scrypt');
    expect(await hasher.verify(FIREBASE_VECTOR.password, stored, false)).toBe('match');
    expect(await hasher.verify('user2password', stored, false)).toBe('mismatch');
    // Without the project's parameters, no format reads it: never a match.
    expect(new PasswordHasher(4).describe(stored)).toBeNull();
    expect(await new PasswordHasher(4).verify(FIREBASE_VECTOR.password, stored, false)).toBe('mismatch');
  });

  it('verifies a password hashed elsewhere in its typed (not NFC) form', async () => {
    const typed = 'Cafe\u0301-Horse-7';
    const stored = await argon2.hash(typed, { type: argon2.argon2id, memoryCost: 4_096, timeCost: 1, parallelism: 1 });
    expect(await hasher.verify(typed, stored, false)).toBe('unnormalized-match');
    expect(await hasher.verify(typed.normalize('NFC'), stored, false)).toBe('mismatch');
  });
});

describe('hostile parameters in a stored hash', () => {
  // Its own hasher, priced by nothing costlier than its bcrypt cost.
  const hasher = new PasswordHasher(4);
  const salt = randomBytes(16).toString('base64').replace(/=+$/, '');
  const key = randomBytes(32).toString('base64').replace(/=+$/, '');
  const hostile = {
    'argon2id with 4 TiB and a million passes': `$argon2id$v=19$m=4294967295,t=1000000,p=1$${salt}$${key}`,
    'argon2i with 255 lanes': `$argon2i$v=19$m=65536,t=3,p=255$${salt}$${key}`,
    'scrypt with N=2^30': `$scrypt$ln=30,r=8,p=1$${salt}$${key}`,
    'scrypt with p=2^20': `$scrypt$ln=14,r=8,p=1048576$${salt}$${key}`,
    'PBKDF2 with 2^31 iterations': `pbkdf2_sha256$2147483647$salt$${randomBytes(32).toString('base64')}`,
    'bcrypt_sha256 at cost 31': `bcrypt_sha256$$2b$31$${'a'.repeat(53)}`,
    'bcrypt at cost 31': `$2b$31$${'a'.repeat(53)}`,
  };
  for (const [name, stored] of Object.entries(hostile)) {
    it(`refuses ${name} without running it (a mismatch in well under a second)`, async () => {
      expect(hasher.describe(stored)?.refusal).toEqual(expect.any(String));
      const started = performance.now();
      expect(await hasher.verify(PASSWORD, stored, false)).toBe('mismatch');
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  }
});
