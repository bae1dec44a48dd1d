import { afterEach, describe, expect, it } from '@jest/globals';
import { MemoryWindowLog } from '../../src/limits/window-stores.ts';

const rule = { max: 3, windowMs: 1_000 };
let log: MemoryWindowLog;
afterEach(() => log.close());

describe('the in-process sliding-window log', () => {
  it('admits max calls per window, then refuses until the oldest leaves the window', () => {
    log = new MemoryWindowLog();
    const t = 1_000_000;
    expect([0, 1, 2, 3].map((i) => log.consume(['k'], rule, t + i).admitted)).toEqual([true, true, true, false]);
    expect(log.retryAfterMs('k', rule, t + 3)).toBe(997);
    expect(log.consume(['k'], rule, t + 999).admitted).toBe(false);
    expect(log.consume(['k'], rule, t + 1_000).admitted).toBe(true);
  });

  it('keeps identities apart', () => {
    log = new MemoryWindowLog();
    for (let i = 0; i < 3; i += 1) log.consume(['a'], rule, 5_000);
    expect(log.consume(['a'], rule, 5_001).admitted).toBe(false);
    expect(log.consume(['b'], rule, 5_001).admitted).toBe(true);
  });

  it('sweeps identities whose calls all left the window', () => {
    log = new MemoryWindowLog();
    log.consume(['old'], rule, 10_000);
    log.consume(['new'], rule, 10_900);
    log.sweep(11_000);
    expect(log.size).toBe(1);
  });
});
