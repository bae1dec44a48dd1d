import { OutboxRepository } from '../../events/outbox.repository.ts';
import { defineCommand } from '../admin-command.ts';
import { noMoreArguments } from './arguments.ts';

export const command = defineCommand({
  parse(line) {
    noMoreArguments(line.positionals);
    return {};
  },
  async run(_params, context) {
    const retried = await new OutboxRepository(context.orm.em.fork()).retryDead();
    return { text: `${retried} dead message(s) will be delivered again.`, json: { retried } };
  },
});
