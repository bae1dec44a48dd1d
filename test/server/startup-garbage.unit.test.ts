import { describe, expect, it } from '@jest/globals';
import { releaseStartupGarbage } from '../../src/server/startup-garbage.ts';

const MB = 2 ** 20;

describe('releasing start-up garbage', () => {
  it('collects what start-up left dead, without --expose-gc', async () => {
    let startup: { index: number; text: string }[] | null = Array.from({ length: 300_000 }, (_, index) => ({ index, text: `object ${index}` }));
    const held = process.memoryUsage().heapUsed;
    expect(startup.length).toBe(300_000);
    startup = null;

    await releaseStartupGarbage();

    expect(process.memoryUsage().heapUsed).toBeLessThan(held - 10 * MB);
  });
});
