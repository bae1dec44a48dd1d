import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SOURCE_FORMATS, type SourceFormatName } from '../../import/source-formats.ts';
import { UsageError } from '../usage-error.ts';

export interface ImportArguments {
  file: string;
  format: SourceFormatName;
  dryRun: boolean;
  json: boolean;
}

export const IMPORT_USAGE = `  import <file> --format auth0|firebase|supabase|better-auth|django|csv [--dry-run] [--json]
                            Bring accounts from another system's export with their password
                            hashes (docs/migrating.md). One line a row, then a summary.`;

/** `import <file> --format <name> [--dry-run] [--json]`. */
export function parseImportArguments(argv: string[]): ImportArguments {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [file, ...extra] = parsed.positionals;
  const { format } = parsed.values;
  if (file === undefined) throw new UsageError('import needs the export file.');
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  if (format === undefined || !Object.hasOwn(SOURCE_FORMATS, format)) {
    throw new UsageError(`import needs --format, one of ${Object.keys(SOURCE_FORMATS).join(', ')}.`);
  }
  if (!existsSync(file)) throw new UsageError(`No file ${file}.`);
  return { file, format: format as SourceFormatName, dryRun: parsed.values['dry-run'], json: parsed.values.json };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
}
