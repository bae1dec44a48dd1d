export const COMMANDS = ['create-user', 'set-password', 'revoke-sessions', 'unlock'] as const;
export type Command = (typeof COMMANDS)[number];

/** One parsed command line of the admin CLI. */
export interface Invocation {
  command: Command;
  email: string;
  passwordFromStdin: boolean;
}
