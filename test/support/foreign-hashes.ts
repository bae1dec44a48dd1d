import { createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';
import { hashPassword as betterAuthHash } from 'better-auth/crypto';
import { Secret } from '../../src/secrets/secret.ts';

/** Firebase's published parameters and test vector (the firebase/scrypt README). */
export const FIREBASE_VECTOR = {
  env: {
    FIREBASE_SCRYPT_SIGNER_KEY: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
    FIREBASE_SCRYPT_SALT_SEPARATOR: 'Bw==',
    FIREBASE_SCRYPT_ROUNDS: '8',
    FIREBASE_SCRYPT_MEM_COST: '14',
  },
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

const unpadded = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** A hash of `password` in each format, made by the source system's own algorithm (or library). */
export const FOREIGN_HASHES: Record<string, (password: string) => Promise<string>> = {
  argon2id: (password) => argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  argon2i: (password) => argon2.hash(password, { type: argon2.argon2i, memoryCost: 4_096, timeCost: 3, parallelism: 1 }),
  // passlib's PHC form: ln = log2 N, unpadded base64.
  'scrypt PHC': async (password) => {
    const salt = randomBytes(16);
    return `$scrypt$ln=14,r=8,p=1$${unpadded(salt)}$${unpadded(scryptSync(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }))}`;
  },
  'Better Auth': (password) => betterAuthHash(password),
  // Django's PBKDF2PasswordHasher, at fewer iterations than its default so tests stay quick.
  'Django pbkdf2_sha256': async (password) => {
    const salt = unpadded(randomBytes(16)).replace(/[+/]/g, 'x');
    return `pbkdf2_sha256$100000$${salt}$${pbkdf2Sync(password, salt, 100_000, 32, 'sha256').toString('base64')}`;
  },
  'Django bcrypt_sha256': async (password) => `bcrypt_sha256$${await bcrypt.hash(createHash('sha256').update(password).digest('hex'), 5)}`,
};
