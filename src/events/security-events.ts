import { randomUUID } from 'node:crypto';
import type { NotificationsConfig } from './notifications-config.ts';
import type { Db } from '../db/orm.ts';
import { OutboxRepository, type NewOutboxMessage } from './outbox.repository.ts';
import type { SecurityEventKind } from './security-event-kind.ts';
import { SecurityEventRepository } from './security-event-repository.ts';

/** Which email an event sends, if any. */
export type EmailTemplate =
  | 'password-changed'
  | 'password-reset'
  /** The verification link (EMAIL_VERIFICATION_URL). */
  | 'email-verification'
  /** To the new address: the link that confirms a change (EMAIL_CHANGE_URL). */
  | 'email-change-confirm'
  /** To the current address: a change was asked for, with the "This wasn't me" link that undoes it. */
  | 'email-change-notice'
  /** To an address that already has an account: someone tried to move another account onto it. */
  | 'email-change-taken'
  /** To both addresses: the change is done. */
  | 'email-changed'
  /** The last email of a deleted account. */
  | 'account-deleted';

/** A change of address: the account's address before and after. */
export interface AddressChange {
  from: string;
  to: string;
}

/** One email an event sends: the template and its recipient (and for a change of address, the change). */
export interface EmailIntent {
  template: EmailTemplate;
  to: string;
  change?: AddressChange;
}

const EMAIL_TEMPLATES: Partial<Record<SecurityEventKind, EmailTemplate>> = {
  PASSWORD_CHANGED: 'password-changed',
  PASSWORD_RESET: 'password-changed',
  ADMIN_PASSWORD_SET: 'password-changed',
  PASSWORD_RESET_REQUESTED: 'password-reset',
  // Securing the account makes the password unusable, so its email carries a fresh reset link.
  ACCOUNT_SECURED: 'password-reset',
  // A change to the second factor is told like a password change: what happened, and "This wasn't me".
  SECOND_FACTOR_ENABLED: 'password-changed',
  SECOND_FACTOR_DISABLED: 'password-changed',
  RECOVERY_CODE_USED: 'password-changed',
};

/** The emails an event sends: those its recorder chose, else its kind's one to the account's address. */
function emailsOf(input: SecurityEventInput): EmailIntent[] {
  if (input.emails !== undefined) return input.emails;
  const template = EMAIL_TEMPLATES[input.kind];
  return template === undefined ? [] : [{ template, to: input.user.email }];
}

/** The webhook's JSON body (docs/security-events.md), stored as the outbox payload and sent as is. */
export interface WebhookPayload {
  [key: string]: unknown;
  id: string;
  type: SecurityEventKind;
  occurredAt: string;
  user: { id: string; email: string };
  ipAddress: string | null;
  userAgent: string | null;
}

/** An email's intent. No token: the worker mints the link's token when it sends. */
export interface EmailPayload {
  [key: string]: unknown;
  template: EmailTemplate;
  kind: SecurityEventKind;
  userId: number;
  to: string;
  /** A change of address: the addresses before and after. */
  change?: AddressChange | null;
  occurredAt: string;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface SecurityEventInput {
  user: { id: number; email: string };
  kind: SecurityEventKind;
  client: { address: string; userAgent: string | null };
  sessionId?: string | null;
  /** The emails to send instead of the kind's default one (the email-address flows choose theirs per case). */
  emails?: EmailIntent[];
}

/**
 * Records security events and queues their notifications. `record` must run
 * inside the transaction of the change it records (pass that transaction's
 * EntityManager), so the change, its event and its notifications commit
 * together or not at all. `transactional` runs such a transaction and then
 * wakes this instance's outbox worker.
 */
export class SecurityEvents {
  readonly #settings: Pick<NotificationsConfig, 'webhook' | 'email'>;
  readonly #wake: () => void;
  /** Notifications queued (or, by recordNothing, pretended) so far: a transaction that queued none need not wake the worker. */
  #queued = 0;

  constructor(settings: Pick<NotificationsConfig, 'webhook' | 'email'>, wake: () => void = () => undefined) {
    this.#settings = settings;
    this.#wake = wake;
  }

  async record(tx: Db, input: SecurityEventInput): Promise<string> {
    const id = randomUUID();
    const ipAddress = input.client.address === 'unknown' ? null : input.client.address;
    const userAgent = input.client.userAgent;
    const occurredAt = await new SecurityEventRepository(tx).insert({
      id,
      userId: input.user.id,
      kind: input.kind,
      ipAddress,
      userAgent,
      sessionId: input.sessionId ?? null,
    });

    const messages: NewOutboxMessage[] = [];
    const { webhook, email } = this.#settings;
    if (webhook?.events.includes(input.kind)) {
      const payload: WebhookPayload = {
        id,
        type: input.kind,
        occurredAt: occurredAt.toISOString(),
        user: { id: String(input.user.id), email: input.user.email },
        ipAddress,
        userAgent,
      };
      messages.push({ id: randomUUID(), eventId: id, channel: 'webhook', payload });
    }
    if (email !== null) {
      for (const intent of emailsOf(input)) {
        const payload: EmailPayload = {
          template: intent.template,
          kind: input.kind,
          userId: input.user.id,
          to: intent.to,
          change: intent.change ?? null,
          occurredAt: occurredAt.toISOString(),
          ipAddress,
          userAgent,
        };
        messages.push({ id: randomUUID(), eventId: id, channel: 'email', payload });
      }
    }
    await new OutboxRepository(tx).enqueue(messages);
    this.#queued += messages.length;
    return id;
  }

  /**
   * The statements `record` would run for `kind`, writing nothing: sign-in
   * with an unknown email spends the same database work as a wrong password
   * on a real account, so timing does not tell whether an email is registered.
   */
  async recordNothing(tx: Db, kind: SecurityEventKind): Promise<void> {
    await new SecurityEventRepository(tx).insertNothing();
    const channels = (this.#settings.webhook?.events.includes(kind) ? 1 : 0) + (this.#settings.email !== null && EMAIL_TEMPLATES[kind] ? 1 : 0);
    await new OutboxRepository(tx).enqueueNothing(channels);
    // Counted like real messages, so the worker's wake-up costs the same as a wrong password's.
    this.#queued += channels;
  }

  /**
   * `record` inside a savepoint of `tx`, released when `keep`, rolled back
   * otherwise. Both ways run the very same statements (savepoint, the event,
   * its messages, release or rollback) with rows of the same size, and both
   * commit a transaction that wrote. So a decoy for an email with no account
   * — recorded against a stand-in account and the email as given, then undone
   * — costs what a real event does, and leaves nothing: no row, no message.
   */
  async recordOrUndo(tx: Db, input: SecurityEventInput, { keep }: { keep: boolean }): Promise<void> {
    // Plain statements, not a nested transactional(): the undo then throws nothing through the ORM,
    // whose rollback handling would make the decoy's path longer than the real one.
    await tx.execute('savepoint "decoy_or_event"');
    await this.record(tx, input);
    await tx.execute(keep ? 'release savepoint "decoy_or_event"' : 'rollback to savepoint "decoy_or_event"');
  }

  /**
   * Runs `work` in one transaction; after it commits, the outbox worker looks
   * for new messages at once, if any were queued (a wake-up is a claim query,
   * which most transactions, with no channel for their events, need not pay).
   * Another transaction's messages counted meanwhile only cause an extra wake-up.
   */
  async transactional<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
    const queuedBefore = this.#queued;
    const result = await db.transactional(work);
    if (this.#queued !== queuedBefore) this.#wake();
    return result;
  }
}
