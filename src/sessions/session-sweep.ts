import type { Db } from '../db/orm.ts';
import { DeviceTokenRepository } from '../devices/device-token.repository.ts';
import { SessionRepository } from './session.repository.ts';
import type { SessionSettings } from './session-settings.ts';

/** How often each instance sweeps; several instances sweeping at once is harmless. */
export const SESSION_SWEEP_INTERVAL_MS = 60 * 60_000;

/**
 * Deletes sessions that ended more than SESSION_RETENTION ago (with their
 * refresh tokens), and device tokens voided or expired as long ago; returns
 * how many sessions were deleted.
 */
export async function sweepEndedSessions(db: Db, settings: SessionSettings): Promise<number> {
  await new DeviceTokenRepository(db).deleteEnded(settings.retentionMs);
  return new SessionRepository(db, settings.idleTimeoutMs).deleteEnded(settings.retentionMs);
}
