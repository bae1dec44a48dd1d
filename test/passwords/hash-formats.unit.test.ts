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
    // A costlier adopted hash makes every wrong password pay for it until it is gone (docs/design/timing-parity.md).
    expect(new PasswordHasher(4).needsRehash(await new PasswordHasher(5).hash(PASSWORD), 'match', true)).toBe(true);
  });

  it('pads every mismatch, and the decoy, to a wrong password on the slowest stored hash', async () => {
    const priced = new PasswordHasher(4);
    // One stored hash of cost 5 and of an un-normalised password: a wrong non-NFC password costs two cost-5 compares on it.
    priced.noteStoredHashes({ cost: 5, unnormalized: true });
    const notNfc = 'Wrong-Horse-e\u0301';
    const count = async (check: () => Promise<unknown>) => {
      const before = priced.operations.compares;
      await check();
      return priced.operations.compares - before;
    };
    // cost 4 (1 unit) + decoys of cost 5 (2) and 4 (1): the 4 units of two cost-5 compares.
    expect(await count(() => priced.verifyDecoy(notNfc))).toBe(3);
    const own = await priced.hash(PASSWORD);
    expect(await count(() => priced.verify(notNfc, own, true))).toBe(3);
    // An NFC password costs one compare on any hash: one of cost 5, so 1 + a cost-4 decoy.
    expect(await count(() => priced.verify('Wrong-Horse-7', own, true))).toBe(2);
  });
});
