interface LockManager {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

/**
 * How long a tab keeps the lock after its refresh. A tab's pair reaches the others over a
 * BroadcastChannel, and nothing orders that message before the lock's next grant; holding the lock
 * a moment lets the message land first, so a waiting tab finds the new token instead of refreshing
 * again. The refreshing tab itself does not wait.
 */
const LINGER_MS = 200;

/**
 * Runs `task` while holding the Web Lock `name`, so that of all the tabs (and workers) of an origin
 * one refreshes at a time and the others find its result in the store. Where there is no Web Locks
 * API (Node before 24.5, older browsers) it runs at once: the per-session single flight still holds.
 */
export function withTabLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return task();
  return new Promise<T>((resolve, reject) => {
    locks
      .request(name, async () => {
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
          return;
        }
        await new Promise((settled) => setTimeout(settled, LINGER_MS));
      })
      .catch(reject);
  });
}
