import type { ParseArgsOptionsConfig } from 'node:util';
import type { AdminContext } from './admin-context.ts';

/** What a command found on its command line, after the command's own words. */
export interface CommandLine {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * A command's answer: one human text for the terminal, and the JSON document
 * `--json` prints instead (its fields are documented in docs/operations/admin-cli.md
 * and stay stable; new fields may be added, none renamed or removed).
 */
export interface CommandOutput {
  text: string;
  json: Record<string, unknown>;
}

export interface CommandSpec<Params> {
  /** The command's own options (the global ones, --json, --operator, --password-stdin, --help, are always there). */
  options?: ParseArgsOptionsConfig;
  /** The command takes a new password (stdin or a hidden prompt, never an argument). */
  readsPassword?: boolean;
  /** Checks the command line before anything opens; a UsageError exits with status 2. */
  parse(line: CommandLine): Params;
  run(params: Params, context: AdminContext): Promise<CommandOutput>;
}

/** A command whose parameters are its own business: parse the line, then run with the services. */
export interface AdminCommand {
  options: ParseArgsOptionsConfig;
  readsPassword: boolean;
  prepare(line: CommandLine): (context: AdminContext) => Promise<CommandOutput>;
}

export function defineCommand<Params>(spec: CommandSpec<Params>): AdminCommand {
  return {
    options: spec.options ?? {},
    readsPassword: spec.readsPassword ?? false,
    prepare(line) {
      const params = spec.parse(line);
      return (context) => spec.run(params, context);
    },
  };
}
