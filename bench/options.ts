import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** bcrypt cost of the servers and of the bound. */
  cost: number;
  /** Seconds of measured changePassword load per flow (Rekey, naive); the other phases scale with it. */
  durationSeconds: number;
  /** Also write the JSON result here. */
  jsonPath: string | null;
  /** Write V8 CPU profiles of both servers into this directory. */
  cpuProfileDir: string | null;
  /** PASSWORD_HISTORY of the servers; seeded accounts start with a full history. */
  history: number;
}

export const usage = `Usage: npm run bench -- [options]

  --duration <s>       seconds of measured changePassword load per flow, split over 3 rounds
                       (default 12, 1 with --quick; the other phases scale with it)
  --cost <n>           bcrypt cost, 4-31 (default 12; 4 with --quick)
  --json <file>        also save the JSON result to <file>
  --quick              short phases (about 15 s in all, most of it starting PGlite),
                       only to prove that the benchmark works (CI)
  --cpu-prof <dir>     write V8 CPU profiles of the servers into <dir>
  --history <n>        PASSWORD_HISTORY of the servers, 0-24 (default 0); seeded accounts
                       start with n - 1 remembered passwords, so every change pays the
                       steady-state n - 1 extra bcrypt compares
  --help               this text`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function numberOption(name: string, text: string | undefined, fallback: number, valid: (value: number) => boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || !valid(value)) throw new UsageError(`--${name} ${text} is out of range`);
  return value;
}

/** Parses the command line; null means --help was asked for. */
function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      options: {
        duration: { type: 'string' },
        cost: { type: 'string' },
        json: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        history: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parseOptions(argv: string[]): BenchOptions | null {
  const values = parseFlags(argv);
  if (values.help) return null;
  const quick = values.quick;
  return {
    quick,
    cost: numberOption('cost', values.cost, quick ? 4 : 12, (cost) => Number.isInteger(cost) && cost >= 4 && cost <= 31),
    durationSeconds: numberOption('duration', values.duration, quick ? 1 : 12, (seconds) => seconds >= 0.5 && seconds <= 3600),
    jsonPath: values.json ?? null,
    cpuProfileDir: values['cpu-prof'] ?? null,
    history: numberOption('history', values.history, 0, (n) => Number.isInteger(n) && n >= 0 && n <= 24),
  };
}
