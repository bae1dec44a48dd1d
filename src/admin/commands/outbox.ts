import { UsageError } from '../usage-error.ts';
import { OutboxRepository } from '../../events/outbox.repository.ts';
import { defineCommand } from '../admin-command.ts';
import { noMoreArguments } from './arguments.ts';

const DEAD_SHOWN = 20;

export const command = defineCommand({
  parse(line) {
    const [action, ...extra] = line.positionals;
    if (action !== undefined) throw new UsageError(`Unknown outbox action "${action}" (only retry-dead).`);
    noMoreArguments(extra);
    return {};
  },
  async run(_params, context) {
    const messages = new OutboxRepository(context.orm.em.fork());
    const counts = await messages.countByState();
    const dead = (await messages.dead(DEAD_SHOWN)).map((message) => ({
      id: message.id,
      channel: message.channel,
      attempts: message.attempts,
      createdAt: message.createdAt.toISOString(),
      lastError: message.lastError ?? null,
    }));
    const lines = [`pending ${counts.pending}, done ${counts.done}, dead ${counts.dead}`];
    for (const message of dead) {
      lines.push([message.id, message.channel, `${message.attempts} attempts`, message.createdAt, message.lastError ?? '-'].join('\t'));
    }
    return { text: lines.join('\n'), json: { counts: { pending: counts.pending, done: counts.done, dead: counts.dead }, dead } };
  },
});
