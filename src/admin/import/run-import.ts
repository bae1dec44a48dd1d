import { once } from 'node:events';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../../config/config.ts';
import { AccountImport } from '../../import/account-import.ts';
import { SOURCE_FORMATS } from '../../import/source-formats.ts';
import { createLogger, redact } from '../../observability/logging.ts';
import { PasswordHasher } from '../../passwords/hashing/password-hasher.ts';
import { openDatabase } from '../../server/database.ts';
import type { ImportArguments } from './import-arguments.ts';
import { rowLine, summaryLine } from './import-report.ts';

async function write(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

function requireFirebaseParameters(config: Config, args: ImportArguments): void {
  if (args.format === 'firebase' && config.firebaseScrypt === null) {
    throw new ConfigError(
      "Firebase hashes verify only with the project's parameters: set FIREBASE_SCRYPT_SIGNER_KEY (and the salt separator, rounds and memory cost) first.",
    );
  }
}

/**
 * `npm run admin -- import`: streams the export through AccountImport and
 * prints each row's outcome as its batch is written, then the summary.
 * Exit status 0 when it ran (refused rows are reported, not failures), 1 when it could not.
 */
export async function runImport(args: ImportArguments): Promise<number> {
  loadDotEnv();
  const log = createLogger('warn', (_level, line) => process.stderr.write(`${line}\n`));
  let orm: Awaited<ReturnType<typeof openDatabase>> | null = null;
  try {
    const config = loadConfig();
    requireFirebaseParameters(config, args);
    orm = await openDatabase(config, { log });
    const hasher = new PasswordHasher(config.bcryptCost, { firebase: config.firebaseScrypt });
    const format = SOURCE_FORMATS[args.format];
    const importer = new AccountImport(orm.em.fork(), hasher, { dryRun: args.dryRun });
    for await (const outcomes of importer.run(await format.read(args.file), format)) {
      await write(outcomes.map((outcome) => rowLine(outcome, args)).join('\n'));
    }
    await write(summaryLine(importer.summary, args.json));
    return 0;
  } catch (error) {
    const detail = error instanceof ConfigError ? error.message : `Import stopped: ${redact(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error))}`;
    process.stderr.write(`rekey admin: ${detail}\nRows reported above are written; running the import again skips them.\n`);
    return 1;
  } finally {
    await orm?.close(true).catch(() => undefined);
  }
}
