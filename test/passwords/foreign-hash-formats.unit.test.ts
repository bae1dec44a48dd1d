import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { firebaseStoredHash } from '../../src/passwords/hashing/firebase-scrypt-format.ts';
import { PasswordHasher } from '../../src/passwords/hashing/password-hasher.ts';
import { redact } from '../../src/observability/logging.ts';
import { FIREBASE_VECTOR, FOREIGN_HASHES } from '../support/foreign-hashes.ts';

const PASSWORD = 'Correct-Horse-7';
const hasher = new PasswordHasher(4, { firebase: FIREBASE_VECTOR.parameters });

describe('hashes made by other systems', () => {
  for (const [name, make] of Object.entries(FOREIGN_HASHES)) {
    it(`verifies ${name}, refuses a wrong password, and asks for a rehash to bcrypt`, async () => {
      const stored = await make(PASSWORD);
      expect(hasher.describe(stored)).toEqual({ format: expect.any(String), refusal: null });
      expect(await hasher.verify(PASSWORD, stored, false)).toBe('match');
      expect(await hasher.verify('Wrong-Horse-7', stored, false)).toBe('mismatch');
      expect(hasher.needsRehash(stored, 'match', false)).toBe(true);
      expect(await hasher.matchesFormer(PASSWORD, stored)).toBe(true);
      // Never in a log line: database errors quote statements with their parameters.
      expect(redact(`failing row (1, ${stored}, f)`)).toBe('failing row (1, [password hash], f)');
    });
  }

  it("verifies Firebase's published test vector with the project's parameters", async () => {
    const stored = firebaseStoredHash(FIREBASE_VECTOR.salt, FIREBASE_VECTOR.hash);
    expect(hasher.describe(stored)?.format).toBe('firebase-scrypt');
    expect(redact(`row (${stored})`)).toBe('row ([password hash])');
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
