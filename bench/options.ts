import { parseArgs } from 'node:util';
import { PATH_NAMES, type PathName } from './peer/contender.ts';

export interface BenchOptions {
  quick: boolean;
  /** bcrypt costs to measure changePassword and signIn at, in turn (servers restart for each); the first also runs every other phase. */
  costs: number[];
  /** BCRYPT_THREAD_NICE of the servers. */
  threadNice: number;
  /** Minutes of soak instead of the benchmark (0: no soak). */
  soakMinutes: number;
  /** Seconds of measured changePassword load per flow (Rekey, naive); the other phases scale with it. */
  durationSeconds: number;
  /** Also write the JSON result here. */
  jsonPath: string | null;
  /** Write V8 CPU profiles of both servers into this directory. */
  cpuProfileDir: string | null;
  /** PASSWORD_HISTORY of the servers; seeded accounts start with a full history. */
  history: number;
  /** Run Better Auth side by side (bench/peer/); --no-peer skips it. */
  peer: boolean;
  /** Only the side-by-side run (--peer-only): Rekey's own phases are skipped. */
  peerOnly: boolean;
  /** The side-by-side paths to run (--peer-paths); null: all of them. */
  peerPaths: PathName[] | null;
}

export const usage = `Usage: npm run bench -- [options]

  --duration <s>       seconds of measured changePassword load per flow, split over 3 rounds
                       (default 12, 1 with --quick; the other phases scale with it)
  --cost <n>[,<n>…]    bcrypt costs, 4-31 (default 12,10; 4 with --quick): changePassword,
                       its bound and signIn are measured at each (servers restart per cost);
                       every other phase runs at the first
  --thread-nice <n>    BCRYPT_THREAD_NICE of the servers, 0-19 (default 10; 0 compares with
                       bcrypt threads at the event loop's priority)
  --soak [minutes]     instead of the benchmark: a mixed load at 6× the reference hour's rate
                       for 10 minutes (or as given) sampling the server's RSS; about 11 minutes
  --json <file>        also save the JSON result to <file>
  --quick              short phases (about 40 s in all, most of it starting PGlite, and 20 s
                       side by side with Better Auth), only to prove that the benchmark works (CI)
  --cpu-prof <dir>     write V8 CPU profiles of the servers into <dir>
  --history <n>        PASSWORD_HISTORY of the servers, 0-24 (default 0); seeded accounts
                       start with n - 1 remembered passwords, so every change pays the
                       steady-state n - 1 extra bcrypt compares
  --no-peer            skip the side-by-side run with Better Auth (it needs PostgreSQL: BENCH_PEER_DATABASE_URL,
                       else DATABASE_URL, else postgres://postgres@127.0.0.1:5432; skipped with a note when
                       none answers)
  --peer-only          only the side-by-side run with Better Auth (about 3 minutes), for working on it
  --peer-paths <a,b>   only these side-by-side paths: session, forged, changeSuccess, changeWrong,
                       signInWrong, signInUnknown
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
      allowPositionals: true,
      options: {
        duration: { type: 'string' },
        cost: { type: 'string' },
        'thread-nice': { type: 'string' },
        soak: { type: 'boolean', default: false },
        json: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        history: { type: 'string' },
        'no-peer': { type: 'boolean', default: false },
        'peer-only': { type: 'boolean', default: false },
        'peer-paths': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function peerPaths(text: string | undefined): PathName[] | null {
  if (text === undefined) return null;
  const names = text.split(',');
  const unknown = names.filter((name) => !(PATH_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`--peer-paths: unknown path ${unknown.join(', ')} (known: ${PATH_NAMES.join(', ')})`);
  return names as PathName[];
}

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values, positionals } = parseFlags(argv);
  if (values.help) return null;
  const quick = values.quick;
  if (values['peer-only'] && values['no-peer']) throw new UsageError('--peer-only and --no-peer exclude each other');
  const validCost = (cost: number) => Number.isInteger(cost) && cost >= 4 && cost <= 31;
  const costs =
    values.cost === undefined ? (quick ? [4] : [12, 10]) : values.cost.split(',').map((text) => numberOption('cost', text, 12, validCost));
  // `--soak 3`: the minutes come as a positional argument after the flag.
  if (positionals.length > (values.soak ? 1 : 0)) throw new UsageError(`Unexpected argument ${positionals.join(' ')}`);
  return {
    quick,
    costs,
    threadNice: numberOption('thread-nice', values['thread-nice'], 10, (nice) => Number.isInteger(nice) && nice >= 0 && nice <= 19),
    soakMinutes: values.soak ? numberOption('soak', positionals[0], 10, (minutes) => minutes >= 0.5 && minutes <= 600) : 0,
    durationSeconds: numberOption('duration', values.duration, quick ? 1 : 12, (seconds) => seconds >= 0.5 && seconds <= 3600),
    jsonPath: values.json ?? null,
    cpuProfileDir: values['cpu-prof'] ?? null,
    history: numberOption('history', values.history, 0, (n) => Number.isInteger(n) && n >= 0 && n <= 24),
    peer: !values['no-peer'],
    peerOnly: values['peer-only'],
    peerPaths: peerPaths(values['peer-paths']),
  };
}
