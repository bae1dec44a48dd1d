import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '../observability/tracing.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AccountTokenRepository } from '../account-tokens/account-token.repository.ts';
import type { NotificationsConfig } from '../events/notifications-config.ts';
import type { Orm } from '../db/orm.ts';
import type { EmailPayload, WebhookPayload } from '../events/security-events.ts';
import type { AppLogger } from '../observability/logging.ts';
import { DeliveryError } from '../notifications/delivery-error.ts';
import type { EmailSender } from '../notifications/email-sender.ts';
import type { WebhookSender } from '../notifications/webhook-sender.ts';
import { retryDelayMs } from './backoff.ts';
import { OutboxRepository, type ClaimedMessage } from '../events/outbox.repository.ts';

export interface OutboxWorkerDeps {
  orm: Orm;
  settings: NotificationsConfig['outbox'];
  webhook: WebhookSender | null;
  email: EmailSender | null;
  log: AppLogger;
}

/** Messages claimed per pass; a full batch means more may be due, so the next pass starts at once. */
const BATCH = 10;

/**
 * Delivers the outbox, in every instance: claims due messages (each claimed
 * by one worker at a time), delivers them, marks them done or schedules the
 * next attempt with exponential back-off, and ends them dead after the last
 * allowed attempt. Polls, and is woken right after a commit that queued
 * messages in this instance. At-least-once: a crash between delivery and
 * marking it done means one more delivery, with the same event id.
 */
export class OutboxWorker {
  /** Names this worker in `claimed_by` (and, once delivered, which worker delivered). */
  readonly id = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #deps: OutboxWorkerDeps;
  readonly #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #woken = false;
  #wakeUp: (() => void) | null = null;

  constructor(deps: OutboxWorkerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Something was just queued: look now instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Claims and settles one batch; returns how many messages it claimed. */
  async runOnce(): Promise<number> {
    this.#woken = false;
    const { settings } = this.#deps;
    const messages = await new OutboxRepository(this.#deps.orm.em.fork()).claim(this.id, {
      batch: BATCH,
      claimMs: settings.claimTimeoutMs,
      maxAttempts: settings.maxAttempts,
    });
    const results = await Promise.allSettled(messages.map((message) => this.#settle(message)));
    for (const result of results) {
      // The message stays claimed and is retried when the claim expires.
      if (result.status === 'rejected') this.#deps.log.warn('Outbox: could not record a delivery outcome:', errorName(result.reason));
    }
    return messages.length;
  }

  /** Stops polling, abandons webhook requests in flight, and hands unfinished messages back. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#wakeUp?.();
    await this.#loop;
    try {
      const released = await new OutboxRepository(this.#deps.orm.em.fork()).release(this.id);
      if (released > 0) this.#deps.log.info(`Outbox: released ${released} unfinished message(s) on shutdown.`);
    } catch (error) {
      // The database is away: the claims simply expire (OUTBOX_CLAIM_TIMEOUT) and another instance retries them.
      this.#deps.log.warn('Outbox: could not release claims on shutdown:', errorName(error));
    }
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (error) {
        // The database is away or busy: try again at the next poll.
        this.#deps.log.warn('Outbox: claiming messages failed:', errorName(error));
      }
      if (claimed < BATCH && !this.#stop.signal.aborted) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, this.#deps.settings.pollIntervalMs);
      this.#wakeUp = done;
    });
  }

  async #settle(message: ClaimedMessage): Promise<void> {
    const db = this.#deps.orm.em.fork();
    const outbox = new OutboxRepository(db);
    try {
      await this.#deliver(message, new AccountTokenRepository(db));
    } catch (error) {
      // Shutting down: release() hands it back, due at once.
      if (this.#stop.signal.aborted) return;
      const reason = error instanceof DeliveryError ? error.message : `Delivery failed unexpectedly (${errorName(error)})`;
      const { maxAttempts, backoffBaseMs, backoffMaxMs } = this.#deps.settings;
      const dead = message.attempts >= maxAttempts;
      const retryInMs = retryDelayMs(message.attempts, { baseMs: backoffBaseMs, maxMs: backoffMaxMs });
      await outbox.markFailed(message.id, this.id, { error: reason, retryInMs, dead });
      this.#deps.log.warn(
        `Outbox: ${message.channel} message ${message.id} (event ${message.eventId}), attempt ${message.attempts} of ${maxAttempts}: ${reason}` +
          (dead ? '; giving up (dead).' : `; retrying in ${retryInMs / 1000} s.`),
      );
      return;
    }
    await outbox.markDone(message.id, this.id);
  }

  /** One delivery attempt, in a span of its own (a root: deliveries run apart from the requests that queued them). */
  #deliver(message: ClaimedMessage, tokens: AccountTokenRepository): Promise<void> {
    const attributes = { 'rekey.outbox.channel': message.channel, 'rekey.outbox.attempt': message.attempts };
    return inSpan(`outbox deliver ${message.channel}`, attributes, () => this.#deliverNow(message, tokens), SpanKind.PRODUCER);
  }

  async #deliverNow(message: ClaimedMessage, tokens: AccountTokenRepository): Promise<void> {
    if (message.channel === 'webhook') {
      if (this.#deps.webhook === null) throw new DeliveryError('No webhook is configured (WEBHOOK_URL is unset)');
      await this.#deps.webhook.send(message.payload as WebhookPayload, this.#stop.signal);
    } else {
      if (this.#deps.email === null) throw new DeliveryError('No mail server is configured (SMTP_URL is unset)');
      const sent = await this.#deps.email.send(message.payload as EmailPayload, tokens);
      // Development mail: the file, never the link (it holds a live token).
      if (sent !== null) this.#deps.log.info(`Mail for event ${message.eventId} written to ${sent.file}`);
    }
  }
}

/** Only an error's class name reaches the log: database errors may quote parameters. */
function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string' ? error.name : typeof error;
}
