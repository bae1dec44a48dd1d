import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';

/** Yoga's logger shape (four levels, any arguments), plus child loggers that add fields to every line. */
export interface AppLogger {
  debug: (...args: unknown[]) => void;
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
  child: (bindings: Record<string, string>) => AppLogger;
}

/** pino's level names; `silent` writes nothing. */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogLevel = LogLevelName;
type WrittenLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Where lines go: a stream, or (in tests) a function given each line without its newline. */
export type LineWriter = (level: WrittenLevel, line: string) => void;

export interface LoggerOptions {
  level: LogLevel;
  /** `json`: one object per line (production). `pretty`: readable, for a terminal (development). */
  format?: 'json' | 'pretty';
  destination?: DestinationStream | LineWriter;
}

// A password-like key followed by a quoted value. The value stops at its closing quote, or runs on
// (redacting too much, never too little) when the text is JSON inside JSON.
const SECRET_KEY = String.raw`[\w-]*(?:password|secret|token|jwt)[\w-]*`;
const quoted = (quote: string) =>
  new RegExp(String.raw`(${SECRET_KEY}\\?${quote}?\s*[:=]\s*\\?${quote})(?!\[redacted\]|${quote}${quote})(?:[^${quote}\\]|\\.)*`, 'gi');

// Patterns without quotes or backslashes in what they match or put back, so they also run safely
// over a finished JSON line.
const TOKEN_PATTERNS: [RegExp, string][] = [
  // Hashes of other systems an import brings (passwords/hashing/): PHC strings, Django's, Firebase's, Better Auth's salt:key.
  [/(?:\$(?:argon2(?:id|i|d)|scrypt|firebase-scrypt)\$|\b(?:pbkdf2_sha256|bcrypt_sha256)\$)[^\s"'`\\]*[\w+/=.]/g, '[password hash]'],
  [/\b[0-9a-f]{32}:[0-9a-f]{128}\b/g, '[password hash]'],
  // bcrypt hashes ($2a$, $2b$, $2x$, $2y$): database errors quote statements with their parameters.
  [/\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g, '[bcrypt hash]'],
  // JWTs (three base64url parts, the first one a JSON header).
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[token]'],
  // Bearer values (RFC 6750's token characters).
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[token]'],
  // The cookie-mode refresh and device cookies ("refreshToken": "…" is covered by SECRET_KEY below).
  [/(rekey_(?:refresh|device)=)[^;\s]*/g, '$1[token]'],
  // Device tokens wherever they appear (known-devices.ts).
  [/\bd1\.[0-9a-f-]{36}\.\d+\.[\w-]{43}/g, '[token]'],
];

const SECRETS: [RegExp, string][] = [
  ...TOKEN_PATTERNS,
  // "password": "…" in JSON and GraphQL literals; 'password': '…' from util.inspect; backticks likewise.
  [quoted('"'), '$1[redacted]'],
  [quoted("'"), '$1[redacted]'],
  [quoted('`'), '$1[redacted]'],
  // password=… in form bodies and query strings (a quoted value is handled above).
  [new RegExp(String.raw`(${SECRET_KEY}=)(?![\[\\"'\x60])[^&\s]+`, 'gi'), '$1[redacted]'],
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

/** Removes anything that looks like a password, hash or token from a text. */
export function redact(text: string): string {
  const withoutPasswords = text.replace(PASSWORD_FIELD, '$1[redacted]');
  return SECRETS.reduce((line, [pattern, replacement]) => line.replace(pattern, replacement), withoutPasswords);
}

function redactTokens(line: string): string {
  return TOKEN_PATTERNS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line);
}

const SECRET_FIELD = new RegExp(`^${SECRET_KEY}$`, 'i');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** An error as plain fields (with its cause and, for AggregateError, its errors), not yet redacted. */
function errorFields(error: Error, depth: number): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) fields[key] ??= value;
  if (depth < 3 && error.cause !== undefined) fields.cause = error.cause instanceof Error ? errorFields(error.cause, depth + 1) : error.cause;
  if (depth < 3 && error instanceof AggregateError) {
    fields.errors = error.errors.map((inner: unknown) => (inner instanceof Error ? errorFields(inner, depth + 1) : inner));
  }
  return fields;
}

/** A copy of structured log fields with secret-named fields blanked and every string redacted. */
function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return redactFields(errorFields(value, 0), depth + 1);
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  if (!isPlainObject(value)) return redact(inspect(value, { depth: 2, breakLength: Infinity }));
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, SECRET_FIELD.test(key) && field != null ? '[redacted]' : redactFields(field, depth + 1)]),
  );
}

const render = (value: unknown) =>
  typeof value === 'string' ? value : value instanceof Error ? value.message : inspect(value, { depth: 4, breakLength: Infinity });

/**
 * Yoga-style calls (`log.error('Route failed:', error)`) become one pino entry:
 * a leading plain object gives fields, the first Error gives `err`, the rest is the message.
 */
function write(logger: Logger, level: WrittenLevel, args: unknown[]): void {
  if (!logger.isLevelEnabled(level)) return;
  const [first, ...rest] = args;
  const fields = isPlainObject(first) ? (redactFields(first) as Record<string, unknown>) : {};
  const parts = isPlainObject(first) ? rest : args;
  const error = parts.find((part): part is Error => part instanceof Error);
  if (error) fields.err = redactFields(error);
  const message = redact(parts.map(render).join(' '));
  logger[level](fields, message);
}

function wrap(logger: Logger): AppLogger {
  return {
    debug: (...args) => write(logger, 'debug', args),
    info: (...args) => write(logger, 'info', args),
    warn: (...args) => write(logger, 'warn', args),
    error: (...args) => write(logger, 'error', args),
    child: (bindings) => wrap(logger.child(redactFields(bindings) as Record<string, string>)),
  };
}

// Fields of the request being served (its id), added to every line written while serving it,
// Yoga's own lines included, whichever logger writes them.
const requestFields = new AsyncLocalStorage<Record<string, string>>();

/** Runs `work` so that every log line it causes carries `fields` (e.g. the request id). */
export function withLogFields<T>(fields: Record<string, string>, work: () => T): T {
  return requestFields.run(fields, work);
}

function lineWriterStream(writeLine: LineWriter): DestinationStream {
  return {
    write(line: string) {
      const { level } = JSON.parse(line) as { level: number };
      writeLine(pino.levels.labels[level] as WrittenLevel, line.trimEnd());
    },
  };
}

function destinationFor(options: LoggerOptions): DestinationStream {
  const { destination, format = 'json' } = options;
  if (typeof destination === 'function') return lineWriterStream(destination);
  if (format === 'pretty') {
    // Loaded only for a developer's terminal: production never pays for it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => PrettyStream;
    return pretty({ sync: true, colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: destination ?? 1 });
  }
  return destination ?? pino.destination({ dest: 1, sync: true });
}

/**
 * The logger every part of the server writes through (pino): JSON lines by
 * default, every field and message redacted, and the finished line passed
 * once more through the token patterns as a last net.
 * `createLogger('warn', (level, line) => …)` captures lines in tests.
 */
export function createLogger(level: LogLevel, destination?: LineWriter): AppLogger;
export function createLogger(options: LoggerOptions): AppLogger;
export function createLogger(levelOrOptions: LogLevel | LoggerOptions, writeLine?: LineWriter): AppLogger {
  const options: LoggerOptions =
    typeof levelOrOptions === 'string' ? { level: levelOrOptions, ...(writeLine ? { destination: writeLine } : {}) } : levelOrOptions;
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => requestFields.getStore() ?? {},
      hooks: { streamWrite: redactTokens },
      // `err` arrives already serialised and redacted (see redactFields); pino's own serialiser would re-type it.
      serializers: { err: (value: unknown) => value },
    },
    options.level === 'silent' ? { write: () => undefined } : destinationFor(options),
  );
  return wrap(logger);
}
