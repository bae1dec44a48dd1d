import { describe, expect, it } from '@jest/globals';
import { parseDurationMs } from '../../src/config/config.ts';

describe('durations in configuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    [' 2 h ', 7_200_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'm', '1.5h', '-1s', '1w', '1 hour', '1h30m'])('%j is refused', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});
