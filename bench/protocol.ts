// Messages between bench/run.ts and the server processes it forks (bench/server.ts), over Node's IPC channel.

/** Which changePassword the server runs: Rekey's, or the naive reference with a third bcrypt compare. */
export type Flow = 'rekey' | 'naive';

export interface SeededAccount {
  id: number;
  email: string;
  password: string;
  token: string;
}

export interface BcryptBound {
  comparesPerSecond: number;
  /** Not whole: compares that straddle an edge of the window count for their part inside it. */
  compares: number;
  seconds: number;
  /** Compares kept in flight: one per libuv pool thread (which is one per core). */
  concurrency: number;
  threadpoolSize: number;
}

/** perf_hooks.monitorEventLoopDelay over one phase, in milliseconds. */
export interface LoopDelay {
  resolutionMs: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 minus the sampling interval: how late the loop was beyond the timer it waited for. */
  excessP99Ms: number;
}

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

/** Sessions inserted (spread over accounts, as many per account as MAX_SESSIONS_PER_USER allows) and some looked up. */
export interface SessionFill {
  sessions: number;
  accounts: number;
  /** Looked up through the per-request check (filling the embedded session cache, if any). */
  lookedUp: number;
  /** Entries in the embedded session cache afterwards; null with PostgreSQL (no cache). */
  cacheEntries: number | null;
  before: MemorySample;
  /** After the rows were inserted, before any lookup: in embedded mode, what PGlite's buffers took. */
  inserted: MemorySample;
  after: MemorySample;
  seconds: number;
}

export interface LimiterFill {
  identities: number;
  before: MemorySample;
  after: MemorySample;
  seconds: number;
}

/** Every command the parent may send, with its arguments and the server's answer. */
export interface Commands {
  seed: { args: { count: number; password: string; emailPrefix: string }; result: SeededAccount[] };
  bcryptBound: { args: { seconds: number; warmupSeconds: number }; result: BcryptBound };
  loopDelayStart: { args: Record<string, never>; result: null };
  loopDelayStop: { args: Record<string, never>; result: LoopDelay };
  memory: { args: Record<string, never>; result: MemorySample };
  fillLimiter: { args: { identities: number }; result: LimiterFill };
  fillSessions: { args: { sessions: number; lookups: number }; result: SessionFill };
  /** A live refresh token for each of these seeded accounts' sessions (stored as a real one would be). */
  refreshTokens: { args: { userIds: number[] }; result: string[] };
  stop: { args: Record<string, never>; result: null };
}

export type CommandName = keyof Commands;

export type CommandMessage = { [K in CommandName]: { id: number; command: K; args: Commands[K]['args'] } }[CommandName];

export type ServerMessage =
  | { type: 'ready'; url: string; flow: Flow }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };
