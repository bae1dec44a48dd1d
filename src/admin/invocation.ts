export const COMMANDS = ['create-user', 'set-password', 'revoke-sessions', 'unlock', 'events', 'outbox', 'totp-off'] as const;
export type Command = (typeof COMMANDS)[number];

/** One parsed command line of the admin CLI. */
export interface Invocation {
  command: Command;
  /** The account's email; for `outbox`, its optional action (`retry-dead`). */
  email: string;
  passwordFromStdin: boolean;
}
