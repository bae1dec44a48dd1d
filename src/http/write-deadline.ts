/** Thrown when a request that was already answered 503 reaches the point of writing: it must not write. */
export class DeadlinePassedError extends Error {
  override name = 'DeadlinePassedError';
}

/**
 * One request's race between its work and REQUEST_TIMEOUT, settled by
 * whichever comes first: the timeout (the client is told the request was
 * stopped, so nothing may be written after) or the point of writing (the
 * outcome is about to be decided, so the client waits for it). Either way the
 * answer never says "stopped" for a change that was committed.
 */
export class WriteDeadline {
  #state: 'running' | 'writing' | 'expired' = 'running';

  /** Called by the timer: true if the request may be answered 503 now (it has not begun writing). */
  expire(): boolean {
    if (this.#state === 'running') this.#state = 'expired';
    return this.#state === 'expired';
  }

  /** Called just before a write whose outcome the client must hear; throws if the client was already answered. */
  beginWrite(): void {
    if (this.#state === 'expired') throw new DeadlinePassedError('The request was stopped by REQUEST_TIMEOUT before it began writing');
    this.#state = 'writing';
  }
}
