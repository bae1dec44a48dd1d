import { ConfigError } from './config-error.ts';
import type { Values, VariableGroup } from './variable.ts';
import { limits } from './variables/limits.ts';
import { notifications } from './variables/notifications.ts';
import { operations } from './variables/operations.ts';
import { passwords } from './variables/passwords.ts';
import { server } from './variables/server.ts';
import { sessions } from './variables/sessions.ts';
import { secondFactor } from './variables/second-factor.ts';
import { storage } from './variables/storage.ts';

/** Every variable Rekey reads, by group, in the order the docs list them. */
export const VARIABLE_GROUPS: readonly VariableGroup[] = [server, storage, sessions, secondFactor, passwords, limits, notifications, operations];

/** Each variable's parsed value (its default when unset; `undefined` when unset without one). */
export type ConfigValues = Values<typeof server> &
  Values<typeof storage> &
  Values<typeof sessions> &
  Values<typeof secondFactor> &
  Values<typeof passwords> &
  Values<typeof limits> &
  Values<typeof notifications> &
  Values<typeof operations>;

/** Parses every declared variable of `source`; throws ConfigError naming the first one that is invalid. */
export function readVariables(source: NodeJS.ProcessEnv): ConfigValues {
  const values: Record<string, unknown> = {};
  for (const group of VARIABLE_GROUPS) {
    for (const [name, variable] of Object.entries(group.variables)) {
      // Empty values count as unset, so `FOO=` in a .env file means "use the default".
      const text = source[name] || variable.default;
      if (text === undefined) continue;
      const parsed = variable.parse.safeParse(text);
      if (!parsed.success) {
        throw new ConfigError(`Invalid configuration: ${name} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
      }
      values[name] = parsed.data;
    }
  }
  // Each value was read by its own variable's parser, which is what ConfigValues says of it.
  return values as ConfigValues;
}
