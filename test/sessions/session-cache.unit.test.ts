import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { SessionCache, type SessionRows } from '../../src/sessions/session-cache.ts';

// The cache on its own: capacity, maximum age and eviction by account. With the real server
// and its triggers: session-cache.slow.test.ts.

const rowsOf = (userId: number): SessionRows => ({ user: { id: userId }, session: { id: `s${userId}` }, active: true, activeUntilMs: Date.now() + 60_000 });

/** Looks a session up, counting the database reads it took. */
function counter(cache: SessionCache) {
  let reads = 0;
  return {
    lookup: async (userId: number, sessionId: string) => {
      await cache.lookup(userId, sessionId, async () => {
        reads += 1;
        return rowsOf(userId);
      });
    },
    get reads() {
      return reads;
    },
  };
}

describe('SessionCache', () => {
  it('keeps at most its capacity, pushing out the least recently used', async () => {
    const cache = new SessionCache({ capacity: 2, maxAgeMs: 60_000 });
    const db = counter(cache);
    await db.lookup(1, 'a');
    await db.lookup(2, 'b');
    await db.lookup(1, 'a'); // a is now the most recently used
    expect(db.reads).toBe(2);
    await db.lookup(3, 'c'); // pushes out b
    expect(cache.size).toBe(2);
    await db.lookup(1, 'a');
    expect(db.reads).toBe(3);
    await db.lookup(2, 'b');
    expect(db.reads).toBe(4);
  });

  it('reads again once an entry is older than its maximum age, counted from when its read began', async () => {
    const cache = new SessionCache({ capacity: 10, maxAgeMs: 100 });
    let reads = 0;
    const slowRead = async () => {
      reads += 1;
      await delay(60);
      return rowsOf(1);
    };
    await cache.lookup(1, 'a', slowRead);
    await delay(50); // 110 ms after the read began, 50 ms after it was kept
    await cache.lookup(1, 'a', slowRead);
    expect(reads).toBe(2);
  });

  it('forgets every session of an account at once, and only that account', async () => {
    const cache = new SessionCache({ capacity: 10, maxAgeMs: 60_000 });
    const db = counter(cache);
    for (const [userId, sessionId] of [[1, 'a'], [1, 'b'], [2, 'c']] as const) await db.lookup(userId, sessionId);
    cache.forgetUser(1);
    expect(cache.size).toBe(1);
    await db.lookup(2, 'c');
    expect(db.reads).toBe(3);
    await db.lookup(1, 'a');
    await db.lookup(1, 'b');
    expect(db.reads).toBe(5);
  });

  it('still forgets an account whose entry was replaced or pushed out and read again', async () => {
    const cache = new SessionCache({ capacity: 1, maxAgeMs: 60_000 });
    const db = counter(cache);
    await db.lookup(1, 'a');
    await db.lookup(2, 'b'); // pushes out a
    await db.lookup(1, 'a'); // pushes out b, a is kept again
    cache.forgetUser(1);
    expect(cache.size).toBe(0);
    await db.lookup(1, 'a');
    expect(db.reads).toBe(4);
  });

  it('does not keep a read that overlapped an eviction, nor an unknown account', async () => {
    const cache = new SessionCache({ capacity: 10, maxAgeMs: 60_000 });
    await cache.lookup(1, 'a', async () => {
      cache.forgetUser(1); // a write committed while the read ran
      return rowsOf(1);
    });
    expect(cache.size).toBe(0);
    await cache.lookup(9, 'z', async () => null);
    expect(cache.size).toBe(0);
  });

  it('answers a token whose account does not match the cached session from the database', async () => {
    const cache = new SessionCache({ capacity: 10, maxAgeMs: 60_000 });
    const db = counter(cache);
    await db.lookup(1, 'a');
    await db.lookup(2, 'a');
    expect(db.reads).toBe(2);
  });
});
