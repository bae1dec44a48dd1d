interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Runs `task` while holding the Web Lock `name`, so that of all the tabs (and workers) of an origin
 * one refreshes at a time and the others find its result in the store. Where there is no Web Locks
 * API (Node before 24.5, older browsers) it runs at once: the per-session single flight still holds.
 */
export function withTabLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks ? locks.request(name, task) : task();
}
