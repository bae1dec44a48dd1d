import { defineEntity, p } from '@mikro-orm/core';
import { SecurityEvent } from './security-event.entity.ts';

export const OUTBOX_CHANNELS = ['webhook', 'email'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

export const OUTBOX_STATES = ['pending', 'done', 'dead'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * A notification to deliver, written in the same transaction as its event
 * and delivered afterwards by an outbox worker. The payload holds only the
 * intent (never a token: an email's link token is minted at delivery time).
 */
export const OutboxMessageSchema = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  properties: {
    id: p.uuid().primary(),
    event: p.manyToOne(SecurityEvent).deleteRule('cascade').index('outbox_event_id_index'),
    channel: p.enum(OUTBOX_CHANNELS),
    payload: p.json<Record<string, unknown>>(),
    state: p.enum(OUTBOX_STATES).default('pending'),
    /** Delivery attempts started (counted when claimed, so a message that crashes its worker still ends dead). */
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().defaultRaw('now()'),
    /** The worker holding the message (and, once done, the one that delivered it). */
    claimedBy: p.string().length(64).nullable(),
    /** A claim past this time is abandoned (its worker died) and may be taken again. */
    claimedUntil: p.datetime().nullable(),
    /** Why the last attempt failed, in words that hold no secret (no URL, no token). */
    lastError: p.string().length(500).nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    deliveredAt: p.datetime().nullable(),
  },
  indexes: [
    // The worker's claim query: due pending messages in order.
    { name: 'outbox_due_index', properties: ['nextAttemptAt'], where: { state: 'pending' } },
  ],
});

export class OutboxMessage extends OutboxMessageSchema.class {}
OutboxMessageSchema.setClass(OutboxMessage);
