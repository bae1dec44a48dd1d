// `npm run admin -- <command>`: account operations for operators, with the server's configuration.
// The commands are in commands/, one file each, listed in command-table.ts.
import { findInvokedCommand, parseCommandLine } from './command-line.ts';
import { helpText } from './help.ts';
import { parseImportArguments } from './import/import-arguments.ts';
import { operatorName } from './operator.ts';
import { readPassword } from './read-password.ts';
import { UsageError } from './usage-error.ts';

async function main(argv: string[]): Promise<number> {
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    // import takes a file and options of its own (src/admin/import/).
    if (argv[0] === 'import') return (await import('./import/run-import.ts')).runImport(parseImportArguments(argv.slice(1)));
    prepared = await prepare(argv);
    if (prepared === 'help') {
      process.stdout.write(helpText());
      return 0;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`rekey admin: ${error.message}\nRun \`npm run admin -- --help\` for the commands.\n`);
    return 2;
  }
  // The database and its drivers load only now: help and usage errors answer without them.
  const { runCommand } = await import('./run-command.ts');
  return runCommand(prepared.run, prepared.settings);
}

/** Everything that can be wrong with the command line, found before anything opens (exit status 2). */
async function prepare(argv: string[]) {
  const found = findInvokedCommand(argv);
  if (found === 'help') return 'help';
  const command = await found.row.load();
  const { line, flags } = parseCommandLine(argv, command, found.words);
  const run = command.prepare(line);
  const operator = operatorName(flags.operator);
  const password = command.readsPassword ? await readPassword(flags.passwordFromStdin) : null;
  return { run, settings: { json: flags.json, operator, password } };
}

process.exitCode = await main(process.argv.slice(2));
