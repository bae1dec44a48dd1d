import { defineCommand } from '../../admin-command.ts';
import { noMoreArguments } from '../arguments.ts';
import { keyAdministration, keyJson, keyLines } from './signing-keys.ts';

export const command = defineCommand({
  parse(line) {
    noMoreArguments(line.positionals);
    return {};
  },
  async run(_params, context) {
    const admin = keyAdministration(context);
    const { kid, activatesAt, replaces } = await admin.rotate();
    const states = await admin.list();
    const done = replaces
      ? `Published key ${kid}; instances sign with it from ${activatesAt.toISOString()}. ${replaces} stays published until its last token has expired.`
      : `Published key ${kid}; it signs now.`;
    return {
      text: [done, ...keyLines(states)].join('\n'),
      json: { published: kid, activatesAt: activatesAt.toISOString(), replaces, keys: states.map(keyJson) },
    };
  },
});
