/**
 * One full, memory-reducing collection once Rekey has started, before it
 * listens. Start-up (modules, the schema, the ORM's metadata, migrations)
 * leaves some 45 MB of objects that are already dead, and its allocation
 * grows V8's young generation to its cap on the way. V8 would keep both
 * resident until load arrives: its idle memory reducer judges the allocation
 * rate from statistics that only a collection refreshes. The inspector's
 * `collectGarbage` is V8's low-memory notification, reachable without
 * `--expose-gc`; it takes about 0.1 s, once.
 *
 * Best effort: where the inspector is missing (a Node built without it) or
 * refused (`--permission`), V8 releases the memory on its own schedule.
 */
export async function releaseStartupGarbage(): Promise<void> {
  try {
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    try {
      await session.post('HeapProfiler.collectGarbage');
    } finally {
      session.disconnect();
    }
  } catch {
    // Nothing is lost but the early release.
  }
}
