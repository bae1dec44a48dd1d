import { AccountTokenRepository } from '../account-tokens/account-token.repository.ts';
import type { NotificationsConfig } from './notifications-config.ts';
import type { Orm } from '../db/orm.ts';
import type { AppLogger } from '../observability/logging.ts';
import { OutboxRepository } from './outbox.repository.ts';
import { SecurityEventRepository } from './security-event-repository.ts';

const BATCH = 1_000;
/** Expired email-link tokens stay a day (for an operator asking why a link failed), then go. */
const EXPIRED_TOKEN_GRACE_MS = 86_400_000;

/**
 * Periodically deletes security events older than SECURITY_EVENT_RETENTION
 * (with their outbox rows), delivered outbox rows older than
 * OUTBOX_RETENTION, email-link tokens a day after they expired, and ends
 * abandoned last attempts as dead. Every instance
 * runs it; the statements are idempotent and skip rows another instance is
 * deleting, so concurrent sweeps neither block nor double-count.
 */
export class RetentionSweep {
  readonly #orm: Orm;
  readonly #settings: NotificationsConfig;
  readonly #log: AppLogger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(orm: Orm, settings: NotificationsConfig, log: AppLogger) {
    this.#orm = orm;
    this.#settings = settings;
    this.#log = log;
  }

  start(): void {
    const tick = () => {
      if (this.#closed) return;
      this.#running ??= this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.#log.warn('Retention sweep failed:', error instanceof Error ? error.name : typeof error))
        .finally(() => {
          this.#running = null;
        });
    };
    this.#timer = setInterval(tick, this.#settings.sweepIntervalMs);
    this.#timer.unref();
    setImmediate(tick);
  }

  /** One sweep; returns how many events were deleted. */
  async runOnce(): Promise<number> {
    const db = this.#orm.em.fork();
    const events = new SecurityEventRepository(db);
    let deleted = 0;
    for (;;) {
      const batch = await events.deleteOlderThan(this.#settings.securityEventRetentionMs, BATCH);
      deleted += batch;
      if (batch < BATCH) break;
    }
    await new OutboxRepository(db).sweep({
      doneRetentionMs: this.#settings.outbox.doneRetentionMs,
      maxAttempts: this.#settings.outbox.maxAttempts,
    });
    const tokens = new AccountTokenRepository(db);
    for (;;) {
      if ((await tokens.deleteExpired(EXPIRED_TOKEN_GRACE_MS, BATCH)) < BATCH) break;
    }
    return deleted;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
