import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

/**
 * A file the repository keeps printed from the code (the schema, the
 * configuration and errors pages): written, or with `--check` compared, so
 * `npm run check` fails on drift and names the command that fixes it.
 */
export function writeOrCheckGeneratedFile(path: URL, printed: string, command: string, argv = process.argv): void {
  const name = relative(process.cwd(), fileURLToPath(path));
  if (!argv.includes('--check')) {
    mkdirSync(new URL('.', path), { recursive: true });
    writeFileSync(path, printed);
    console.log(`Wrote ${name}`);
    return;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // Missing counts as drift.
  }
  if (current !== printed) {
    console.error(`${name} is out of date: run \`${command}\`.`);
    process.exitCode = 1;
  }
}
