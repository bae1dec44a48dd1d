import { describe, expect, it } from '@jest/globals';
import { StatementBatch } from '../../src/db/statement-batch.ts';

/** A batch whose statement doubles numbers, recording each batch it was given; `gate` holds a batch until released. */
function doubling(options: { maxSize?: number; fail?: (inputs: number[]) => boolean } = {}) {
  const batches: number[][] = [];
  let release: (() => void) | null = null;
  const batch = new StatementBatch<number, number>({
    run: async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      if (options.fail?.(inputs)) throw new Error(`batch ${inputs.join(',')} failed`);
      return inputs.map((input) => input * 2);
    },
    key: (input) => String(input % 10),
    maxSize: options.maxSize ?? 64,
  });
  const releaseFirst = async () => {
    while (release === null) await new Promise((resolve) => setImmediate(resolve));
    release();
  };
  return { batch, batches, releaseFirst };
}

describe('StatementBatch', () => {
  it('runs the calls of one turn as one batch, and those arriving while it runs as the next', async () => {
    const { batch, batches, releaseFirst } = doubling();
    const first = [1, 2, 3].map((n) => batch.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    const second = [4, 5].map((n) => batch.submit(n));
    await releaseFirst();
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('never puts two calls with one key in a batch, and keeps the order of the rest', async () => {
    const { batch, batches, releaseFirst } = doubling();
    const answers = Promise.all([1, 11, 2, 21, 3].map((n) => batch.submit(n)));
    await releaseFirst();
    expect(await answers).toEqual([2, 22, 4, 42, 6]);
    expect(batches).toEqual([[1, 2, 3], [11], [21]]);
  });

  it('splits at the size limit', async () => {
    const { batch, batches, releaseFirst } = doubling({ maxSize: 2 });
    const answers = Promise.all([1, 2, 3, 4, 5].map((n) => batch.submit(n)));
    await releaseFirst();
    expect(await answers).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every call of a failed batch with its error, and goes on with the next', async () => {
    const { batch, batches, releaseFirst } = doubling({ fail: (inputs) => inputs.includes(2) });
    const failed = [1, 2].map((n) => batch.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    const later = batch.submit(3);
    await releaseFirst();
    for (const call of failed) await expect(call).rejects.toThrow('batch 1,2 failed');
    expect(await later).toBe(6);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('fails the calls of a batch that answered for a different number of them', async () => {
    const batch = new StatementBatch<number, number>({ run: async () => [1], key: String, maxSize: 8 });
    const calls = [batch.submit(1), batch.submit(2)];
    for (const call of calls) await expect(call).rejects.toThrow('A batch of 2 returned 1 results');
  });
});
