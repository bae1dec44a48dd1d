/**
 * When each signing key is published, signs, and leaves the key set. Pure:
 * every instance computes the same states from the same rows and its clock.
 */

/** How often instances reread the key set: a tenth of the activation delay, at most this. */
export const MAX_KEY_REFRESH_MS = 30_000;
/** How far the clocks of instances may differ (NTP keeps them within milliseconds). */
export const CLOCK_LEEWAY_MS = 5_000;

export function keyRefreshIntervalMs(activationDelayMs: number): number {
  return Math.min(MAX_KEY_REFRESH_MS, Math.floor(activationDelayMs / 10));
}

export interface ScheduledKey {
  kid: string;
  /** Order of creation (a unique column): ties of `activatesAt` are broken by it. */
  sequence: number;
  activatesAt: Date;
}

/**
 * next: published, not yet signing (caches are picking it up);
 * active: what new tokens are signed with;
 * previous: replaced, still published until every token it signed has expired;
 * retired: no longer published; nothing it signed is still valid.
 */
export type KeyState = 'next' | 'active' | 'previous' | 'retired';

export interface KeyStatus<K extends ScheduledKey = ScheduledKey> {
  key: K;
  state: KeyState;
  /** When a replaced key leaves the key set; null while it is next or active. */
  retiresAt: Date | null;
}

export interface ScheduleSettings {
  tokenTtlMs: number;
  refreshMs: number;
}

/** Each key's state at `now`, oldest first. */
export function keyStates<K extends ScheduledKey>(keys: readonly K[], now: number, { tokenTtlMs, refreshMs }: ScheduleSettings): KeyStatus<K>[] {
  const ordered = [...keys].sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime() || a.sequence - b.sequence);
  const activeIndex = ordered.findLastIndex((key) => key.activatesAt.getTime() <= now);
  return ordered.map((key, index) => {
    if (index > activeIndex) return { key, state: 'next', retiresAt: null };
    if (index === activeIndex) return { key, state: 'active', retiresAt: null };
    // An instance may sign with it until it rereads the set after its successor activated; those tokens live JWT_TTL.
    const successor = ordered[index + 1] as K;
    const retiresAt = new Date(successor.activatesAt.getTime() + refreshMs + tokenTtlMs + CLOCK_LEEWAY_MS);
    return { key, state: retiresAt.getTime() > now ? 'previous' : 'retired', retiresAt };
  });
}
