import { describe, expect, it } from '@jest/globals';
import { PasswordHasher } from '../../src/passwords/hashing/password-hasher.ts';
import { redact } from '../../src/observability/logging.ts';

const PASSWORD = 'Correct-Horse-7';

describe('stored hash formats', () => {
  const hasher = new PasswordHasher(4);

  it('reads, verifies and redacts a hash of each format it knows', async () => {
    const hash = await hasher.hash(PASSWORD);
    for (const format of hasher.formats) {
      if (!format.reads(hash)) continue;
      expect(await format.verify(PASSWORD, hash, true)).toBe('match');
      expect(await format.verify('Wrong-Horse-7', hash, true)).toBe('mismatch');
      expect(`failing row (1, ${hash})`.match(format.redactionPattern)).toEqual([hash]);
      expect(redact(`failing row (1, ${hash})`)).not.toContain(hash);
    }
    expect(hasher.formats.filter((format) => format.reads(hash)).map((format) => format.name)).toEqual(['bcrypt']);
  });

  it('never matches a stored value no format reads, and spends a compare on it as on a wrong password', async () => {
    const before = hasher.operations.compares;
    expect(await hasher.verify(PASSWORD, 'not-a-hash', true)).toBe('mismatch');
    expect(hasher.operations.compares - before).toBe(1);
    expect(hasher.needsRehash('not-a-hash', 'match')).toBe(true);
  });

  it('asks for a rehash of a cheaper bcrypt hash and of one made elsewhere, not of its own', async () => {
    const own = await hasher.hash(PASSWORD);
    expect(hasher.needsRehash(own, 'match', true)).toBe(false);
    expect(hasher.needsRehash(own, 'match', false)).toBe(true);
    expect(new PasswordHasher(5).needsRehash(own, 'match', true)).toBe(true);
  });
});
