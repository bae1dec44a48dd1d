import { defineCommand } from '../../admin-command.ts';
import { noMoreArguments } from '../arguments.ts';
import { keyAdministration, keyJson, keyLines } from './signing-keys.ts';

export const command = defineCommand({
  parse(line) {
    noMoreArguments(line.positionals);
    return {};
  },
  async run(_params, context) {
    const states = await keyAdministration(context).list();
    const text = states.length > 0 ? keyLines(states).join('\n') : 'No signing keys yet: the first server start makes one.';
    return { text, json: { keys: states.map(keyJson) } };
  },
});
