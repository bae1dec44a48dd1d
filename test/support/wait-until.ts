/**
 * Waits for a condition only the database can tell (no event to await),
 * checking every `intervalMs`; fails with `what` after `timeoutMs`.
 */
export async function waitUntil<T>(check: () => Promise<T | null | undefined | false>, what: string, { timeoutMs = 20_000, intervalMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
