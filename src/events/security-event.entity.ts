import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity.ts';
import { SECURITY_EVENT_KINDS } from './security-event-kind.ts';

/**
 * One security-relevant outcome for one account. Append-only: rows are
 * inserted in the transaction of the change they record and only ever
 * deleted by the retention sweep (a deleted account's lose their user). Never holds a secret.
 */
export const SecurityEventSchema = defineEntity({
  name: 'SecurityEvent',
  tableName: 'security_events',
  properties: {
    /** Public: the webhook's `id` and `Rekey-Event-Id`, the GraphQL `SecurityEvent.id`. */
    id: p.uuid().primary(),
    /** Insertion order: newest first is `seq desc`, and the connection's cursor. */
    seq: p.bigint('number').autoincrement().unique(),
    /** Null once the account is deleted: the event stays (until retention) without anything that names it. */
    user: p.manyToOne(User).deleteRule('set null').nullable(),
    kind: p.enum(SECURITY_EVENT_KINDS),
    occurredAt: p.datetime().defaultRaw('now()'),
    ipAddress: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    /** Sessions arrive later with their own ids; kept as text so any id shape fits. */
    sessionId: p.string().length(64).nullable(),
  },
  indexes: [
    { name: 'security_events_user_seq_index', properties: ['user', 'seq'] },
    { name: 'security_events_occurred_at_index', properties: ['occurredAt'] },
  ],
});

export class SecurityEvent extends SecurityEventSchema.class {}
SecurityEventSchema.setClass(SecurityEvent);
