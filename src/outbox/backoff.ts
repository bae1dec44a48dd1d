/**
 * The wait before the next attempt after `attempts` failed ones: base, 2×base,
 * 4×base, … capped at max (defaults 1 s → 1 h).
 */
export function retryDelayMs(attempts: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 40));
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
