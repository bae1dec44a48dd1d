import type { Db } from '../db/orm.ts';
import { SessionRepository } from './session.repository.ts';
import type { SessionSettings } from './session-settings.ts';

/** How often each instance sweeps; several instances sweeping at once is harmless. */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60_000;

/** Deletes sessions that ended more than SESSION_RETENTION ago (with their refresh tokens); returns how many. */
export function sweepEndedSessions(db: Db, settings: SessionSettings): Promise<number> {
  return new SessionRepository(db, settings.idleTimeoutMs).deleteEnded(settings.retentionMs);
}
