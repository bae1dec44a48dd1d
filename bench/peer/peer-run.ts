// Rekey side by side with Better Auth (issue 35): both on PostgreSQL (a new
// database each on the same server, dropped after), bcrypt at the same cost,
// the same connections, each path run on each contender in turn, round after
// round (the order flips every round, so a drift in the machine's load favours
// neither), every answer checked. Better Auth runs twice: without and with its
// 5-minute session cookie cache.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createServerDatabase } from '../../test/support/server-database.ts';
import { combineShares, CpuShareMeter, type CpuShare } from '../cpu-share.ts';
import type { BenchOptions } from '../options.ts';
import { seedBetterAuth, startBetterAuth } from './better-auth-contender.ts';
import { PATH_NAMES, type Contender, type PathName } from './contender.ts';
import { drive, type PathRun } from './loads.ts';
import { startRekey } from './rekey-contender.ts';

export const CONNECTIONS = 16;
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
export type ContenderKey = 'rekey' | 'betterAuth' | 'betterAuthCached';

export interface PeerSettings {
  bcryptCost: number;
  rounds: number;
  connections: number;
  fixedSeconds: number;
  loopSeconds: number;
  loopWarmupSeconds: number;
}

export interface ProcessMemory {
  /** VmRSS once started and seeded, before any load. */
  restBytes: number | null;
  /** VmHWM at the end: the most the process ever held. */
  peakBytes: number | null;
}

export interface PeerMeasurements {
  skipped: string | null;
  settings: PeerSettings;
  /** Per path, per contender: one run per round. */
  runs: Partial<Record<PathName, Partial<Record<ContenderKey, PathRun[]>>>>;
  memory: Partial<Record<ContenderKey, ProcessMemory>>;
  /** CPU other processes took while the rounds ran (null where /proc is missing). */
  otherProcessesCpu: CpuShare | null;
}

type Progress = (message: string) => void;

export interface PeerEnvironment {
  options: BenchOptions;
  /** What the Rekey server gets, as the other bench servers do (bcrypt cost, secret, pool size, …), for the peer's cost. */
  rekeyEnv: (cost: number) => NodeJS.ProcessEnv;
  forgedToken: (userId: number) => string;
}

/** The cost issue 35 compares at: 10 when the run measures it, else the last cost asked for (quick mode's only one). */
export function peerSettings(options: BenchOptions): PeerSettings {
  const d = options.durationSeconds;
  return {
    bcryptCost: options.costs.includes(10) && !options.quick ? 10 : (options.costs.at(-1) ?? 10),
    rounds: options.quick ? 1 : 5,
    connections: CONNECTIONS,
    fixedSeconds: Math.max(0.5, d / 6),
    loopSeconds: Math.max(0.5, d / 4),
    loopWarmupSeconds: options.quick ? 0.25 : 1,
  };
}

function statusValue(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${field}:`));
    const kB = Number(line?.split(/\s+/)[1]);
    return Number.isFinite(kB) ? kB * 1024 : null;
  } catch {
    return null;
  }
}

/** Null when a PostgreSQL server answers at `serverUrl`; otherwise why not. */
async function unreachable(serverUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function peerServerUrl(): string {
  return process.env.BENCH_PEER_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_SERVER;
}

const redacted = (url: string) => url.replace(/\/\/[^@/]*@/, '//…@');

async function runRounds(
  contenders: Record<ContenderKey, Contender>,
  settings: PeerSettings,
  paths: readonly PathName[],
  progress: Progress,
) {
  const runs: PeerMeasurements['runs'] = {};
  const ours = () => [
    process.pid,
    ...Object.values(contenders).flatMap((contender) => (contender.pid === undefined ? [] : [contender.pid])),
  ];
  const cpu = new CpuShareMeter(ours, true);
  const shares: (CpuShare | null)[] = [];
  const keys = Object.keys(contenders) as ContenderKey[];
  for (let round = 1; round <= settings.rounds; round += 1) {
    progress(
      `peer round ${round}/${settings.rounds}: ${paths.length} paths on Rekey and Better Auth in turn, ${settings.connections} connections`,
    );
    const order = round % 2 === 1 ? keys : [...keys].reverse();
    for (const name of paths) {
      for (const key of order) {
        const path = contenders[key].paths[name];
        if (path === undefined) continue;
        const fixed = path.kind === 'fixed';
        const stop = cpu.start();
        const run = await drive(path, {
          connections: settings.connections,
          seconds: fixed ? settings.fixedSeconds : settings.loopSeconds,
          // The first round warms each fixed path up (V8 optimises what it runs); the loops warm up every time, to fill the pool.
          warmupSeconds: fixed ? (round === 1 ? settings.fixedSeconds : 0) : settings.loopWarmupSeconds,
        });
        shares.push(stop());
        const byContender = runs[name] ?? {};
        byContender[key] = [...(byContender[key] ?? []), run];
        runs[name] = byContender;
      }
    }
  }
  return { runs, otherProcessesCpu: combineShares(shares) };
}

export async function measurePeer(env: PeerEnvironment, progress: Progress): Promise<PeerMeasurements> {
  const settings = peerSettings(env.options);
  const serverUrl = peerServerUrl();
  const skipped = (reason: string): PeerMeasurements => {
    progress(`Better Auth peer skipped: ${reason}`);
    return { skipped: reason, settings, runs: {}, memory: {}, otherProcessesCpu: null };
  };
  if (!env.options.peer) return skipped('--no-peer');
  const problem = await unreachable(serverUrl);
  if (problem !== null) return skipped(`no PostgreSQL at ${redacted(serverUrl)} (${problem}); set BENCH_PEER_DATABASE_URL`);

  const databases = await Promise.all([
    createServerDatabase(serverUrl, 'bench_peer'),
    createServerDatabase(serverUrl, 'bench_better_auth'),
  ]);
  const [rekeyDb, betterAuthDb] = databases;
  const started: Contender[] = [];
  try {
    progress(
      `peer: starting Rekey and Better Auth (twice: without and with its cookie cache) on PostgreSQL, bcrypt cost ${settings.bcryptCost}`,
    );
    const base = env.rekeyEnv(settings.bcryptCost);
    const cpuProfileDir = env.options.cpuProfileDir;
    const rekey = await startRekey({ kind: 'PostgreSQL', env: { DATABASE_URL: rekeyDb.url }, drop: rekeyDb.drop }, base, {
      loops: settings.connections,
      forgedToken: env.forgedToken,
      cpuProfileDir,
    });
    started.push(rekey);
    const betterAuthEnv = { ...base, DATABASE_URL: betterAuthDb.url, BETTER_AUTH_SECRET: randomBytes(32).toString('base64url') };
    const betterAuth = await startBetterAuth(
      { name: 'Better Auth', env: betterAuthEnv, cookieCache: false, cpuProfileDir },
      settings.connections,
      (url) => seedBetterAuth(url, settings.connections),
    );
    started.push(betterAuth);
    const betterAuthCached = await startBetterAuth(
      { name: 'Better Auth, cookie cache', env: betterAuthEnv, cookieCache: true, cpuProfileDir },
      settings.connections,
      async () => betterAuth.accounts,
    );
    started.push(betterAuthCached);
    const contenders = { rekey, betterAuth, betterAuthCached };
    const rest = (contender: Contender) => statusValue(contender.pid, 'VmRSS');
    const atRest = { rekey: rest(rekey), betterAuth: rest(betterAuth), betterAuthCached: rest(betterAuthCached) };
    const { runs, otherProcessesCpu } = await runRounds(contenders, settings, env.options.peerPaths ?? PATH_NAMES, progress);
    const memory = Object.fromEntries(
      (Object.keys(contenders) as ContenderKey[]).map((key) => [
        key,
        { restBytes: atRest[key], peakBytes: statusValue(contenders[key].pid, 'VmHWM') },
      ]),
    ) as PeerMeasurements['memory'];
    return { skipped: null, settings, runs, memory, otherProcessesCpu };
  } finally {
    await Promise.all(started.map((contender) => contender.stop()));
    await Promise.all(databases.map((database) => database.drop()));
  }
}
