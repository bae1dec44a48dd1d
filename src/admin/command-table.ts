import type { AdminCommand } from './admin-command.ts';

/**
 * Every admin command: its words, its line in the help, and its module,
 * loaded only when it runs (help and unknown commands answer at once).
 * A new command is a file in commands/ exporting `command` and one row here.
 */
export interface CommandRow {
  /** One or two words: `unlock`, `users list`. */
  name: string;
  /** What follows the words in the help, e.g. `<email>`. */
  synopsis: string;
  summary: string;
  load(): Promise<AdminCommand>;
}

export const COMMAND_TABLE: readonly CommandRow[] = [
  {
    name: 'create-user',
    synopsis: '<email>',
    summary: 'Create an account. The password is read from stdin.',
    load: async () => (await import('./commands/create-user.ts')).command,
  },
  {
    name: 'set-password',
    synopsis: '<email>',
    summary: "Replace an account's password (the password policy applies) and sign out every session of the account.",
    load: async () => (await import('./commands/set-password.ts')).command,
  },
  {
    name: 'revoke-sessions',
    synopsis: '<email>',
    summary: 'Sign out every session of the account.',
    load: async () => (await import('./commands/revoke-sessions.ts')).command,
  },
  {
    name: 'unlock',
    synopsis: '<email>',
    summary: "Clear the account's failed-password count, any block, and (with REDIS_URL) its rate-limit windows.",
    load: async () => (await import('./commands/unlock.ts')).command,
  },
  {
    name: 'events',
    synopsis: '<email> [--limit N]',
    summary: "List the account's latest security events, newest first.",
    load: async () => (await import('./commands/events.ts')).command,
  },
  {
    name: 'outbox',
    synopsis: '',
    summary: 'Count notification messages by state and list the dead ones.',
    load: async () => (await import('./commands/outbox.ts')).command,
  },
  {
    name: 'outbox retry-dead',
    synopsis: '',
    summary: 'Give every dead message a fresh set of delivery attempts.',
    load: async () => (await import('./commands/outbox-retry-dead.ts')).command,
  },
  {
    name: 'users list',
    synopsis: '[--email TEXT] [--created-from DATE] [--created-before DATE] [--disabled|--enabled] [--limit N] [--after ID]',
    summary: 'List accounts, oldest first, a page at a time (--limit, default 50; the next page with --after).',
    load: async () => (await import('./commands/users-list.ts')).command,
  },
  {
    name: 'users show',
    synopsis: '<email>',
    summary: "Show an account's state: created, disabled, blocked, password changed, active sessions.",
    load: async () => (await import('./commands/users-show.ts')).command,
  },
  {
    name: 'users disable',
    synopsis: '<email>',
    summary: 'Refuse every sign-in of the account and end its sessions, refresh and device tokens at once.',
    load: async () => (await import('./commands/users-disable.ts')).command,
  },
  {
    name: 'users enable',
    synopsis: '<email>',
    summary: 'Let a disabled account sign in again.',
    load: async () => (await import('./commands/users-enable.ts')).command,
  },
  {
    name: 'users delete',
    synopsis: '<email> [--yes]',
    summary: 'Delete the account as deleteAccount does (asks to type the address again; --yes skips that, for scripts).',
    load: async () => (await import('./commands/users-delete.ts')).command,
  },
  {
    name: 'totp-off',
    synopsis: '<email>',
    summary: 'Turn two-step verification off for an owner who lost the authenticator and every recovery code (recorded and notified).',
    load: async () => (await import('./commands/second-factor/totp-off.ts')).command,
  },
  {
    name: 'keys list',
    synopsis: '',
    summary: 'The token signing keys (ES256) and each one\'s state: next, active, previous (published until its last token expires), retired.',
    load: async () => (await import('./commands/keys/list.ts')).command,
  },
  {
    name: 'keys rotate',
    synopsis: '',
    summary: 'Publish a new signing key; every instance signs with it after JWT_KEY_ACTIVATION_DELAY. No one is signed out.',
    load: async () => (await import('./commands/keys/rotate.ts')).command,
  },
];

/** The row named by the first words of `positionals` (two-word names first), and how many words it took. */
export function findCommand(positionals: string[]): { row: CommandRow; words: number } | null {
  for (const words of [2, 1]) {
    const name = positionals.slice(0, words).join(' ');
    const row = positionals.length >= words ? COMMAND_TABLE.find((candidate) => candidate.name === name) : undefined;
    if (row !== undefined) return { row, words };
  }
  return null;
}
