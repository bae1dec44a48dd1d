import { inspect } from 'node:util';

/** Yoga's logger shape: four levels, any arguments. */
export interface AppLogger {
  debug: (...args: unknown[]) => void;
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
}

const SECRETS: [RegExp, string][] = [
  // bcrypt hashes ($2a$, $2b$, $2x$, $2y$): database errors quote statements with their parameters.
  [/\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g, '[bcrypt hash]'],
  // JWTs (three base64url parts, the first one a JSON header).
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[token]'],
  // Bearer values of any shape.
  [/(bearer\s+)\S+/gi, '$1[token]'],
];

/**
 * A password field's value, whatever wrote the line: JSON (also escaped inside
 * JSON), GraphQL strings and block strings, util.inspect's single, double or
 * backtick quotes, SQL literals, and bare `password=…` form or query text.
 * Group 1 is the key up to the value's opening quote; group 2 the value up to
 * (not including) its closing quote, so one pass replaces each value once.
 * A bcrypt hash is left to the hash pattern, which runs next and says what it was.
 */
const PASSWORD_FIELD =
  /((?:current|new)?[_-]?password\\?["'`]?\s*[:=]\s*(?:"""|\\?"|'|`)?)(?!\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53})((?<=""")(?:[^"\\]|\\.|"(?!""))*|(?<=")(?:[^"\\]|\\.)*|(?<=')(?:[^'\\]|\\.)*|(?<=`)(?:[^`\\]|\\.)*|(?<==)[^\s&"'`\\][^\s&]*)/gi;

/** Removes anything that looks like a password, hash or token from a log line. */
export function redact(text: string): string {
  const withoutPasswords = text.replace(PASSWORD_FIELD, '$1[password]');
  return SECRETS.reduce((line, [pattern, replacement]) => line.replace(pattern, replacement), withoutPasswords);
}

const render = (value: unknown) => (typeof value === 'string' ? value : inspect(value, { depth: 4, breakLength: Infinity }));

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number] | 'silent';

const PREFIX = { debug: 'debug: ', info: '', warn: 'Warning: ', error: 'Error: ' } as const;

const toConsole = (level: (typeof LEVELS)[number], line: string) =>
  (level === 'warn' || level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);

/**
 * The logger every part of the server writes through: one line per entry,
 * each passed through `redact`, at `level` and above.
 */
export function createLogger(level: LogLevel, write: (level: (typeof LEVELS)[number], line: string) => void = toConsole): AppLogger {
  const threshold = level === 'silent' ? LEVELS.length : LEVELS.indexOf(level);
  const at = (name: (typeof LEVELS)[number]) => (...args: unknown[]) => {
    if (LEVELS.indexOf(name) < threshold) return;
    write(name, redact(`${PREFIX[name]}${args.map(render).join(' ')}`));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
