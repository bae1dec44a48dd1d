import type { Config, NotificationsConfig } from '../config/config.ts';
import { vacuumEmbedded } from '../db/embedded-vacuum.ts';
import type { Orm } from '../db/orm.ts';
import { RetentionSweep } from '../events/retention-sweep.ts';
import { EmailSender } from '../notifications/email-sender.ts';
import { WebhookSender } from '../notifications/webhook-sender.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { Metrics } from '../observability/metrics.ts';
import { OutboxRepository } from '../events/outbox.repository.ts';
import { OutboxWorker } from '../outbox/outbox-worker.ts';
import { SESSION_SWEEP_INTERVAL_MS, sweepEndedSessions } from '../sessions/session-sweep.ts';

/** What runs beside the requests: the outbox's delivery, the retention sweep, the hourly session sweep and vacuum. */
export interface BackgroundJobs {
  /** This instance's outbox worker (security notifications). */
  outbox: OutboxWorker;
  /** One sweep of ended sessions (the timer runs it hourly); returns how many were deleted. */
  sweepSessions(): Promise<number>;
  /** Embedded PGlite only, hourly after the sweep: VACUUM (ANALYZE) of each table; returns them. */
  vacuumEmbedded(): Promise<string[]>;
  /** Stops the hourly timer: the first step of shutting down. */
  stopTimers(): void;
  /** Stops delivering and sweeping, releasing the outbox's claims; the database must still be open. */
  close(): Promise<void>;
}

function notificationSenders(notifications: NotificationsConfig) {
  // A delivery must end well within its claim, or another worker could take the message meanwhile.
  const timeoutMs = Math.min(10_000, notifications.outbox.claimTimeoutMs / 2);
  const email = notifications.email ? new EmailSender({
        ...notifications.email,
        passwordResetTtlMs: notifications.passwordResetTtlMs,
        emailTokenTtlMs: notifications.emailAddress.tokenTtlMs,
        timeoutMs,
      }) : null;
  const webhook = notifications.webhook ? new WebhookSender({ ...notifications.webhook, timeoutMs }) : null;
  return { email, webhook };
}

/** Starts the outbox worker (every instance delivers the shared outbox), the retention sweep and the hourly session sweep. */
export function startBackgroundJobs(orm: Orm, config: Pick<Config, 'notifications' | 'sessions'>, metrics: Metrics, log: AppLogger): BackgroundJobs {
  const { notifications } = config;
  const { email, webhook } = notificationSenders(notifications);
  const outbox = new OutboxWorker({ orm, settings: notifications.outbox, webhook, email, log });
  metrics.setOutboxCounts(() => new OutboxRepository(orm.em.fork()).countByState());
  const retention = new RetentionSweep(orm, notifications, log);
  outbox.start();
  retention.start();

  const sweepSessions = () => sweepEndedSessions(orm.em.fork(), config.sessions);
  const vacuum = async () => {
    const started = performance.now();
    const tables = await vacuumEmbedded(orm);
    if (tables.length > 0) log.debug(`Vacuumed the embedded database (${tables.length} tables) in ${Math.round(performance.now() - started)} ms`);
    return tables;
  };
  // Unref'd: it never keeps the process alive; a failed sweep is retried at the next tick.
  const sweepTimer = setInterval(() => {
    sweepSessions()
      .catch((error: unknown) => log.warn('Session sweep failed:', error))
      .then(vacuum)
      .catch((error: unknown) => log.warn('Vacuuming the embedded database failed:', error));
  }, SESSION_SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  return {
    outbox,
    sweepSessions,
    vacuumEmbedded: vacuum,
    stopTimers: () => clearInterval(sweepTimer),
    async close() {
      await outbox.close();
      await retention.close();
      email?.close();
    },
  };
}
