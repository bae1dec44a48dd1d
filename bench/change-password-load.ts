import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, documents, GraphQLClient } from './graphql-client.ts';

/** An account whose password and token the load keeps up to date as it changes them. */
export interface LoadAccount {
  email: string;
  password: string;
  token: string;
}

export interface ChangePasswordLoadSettings {
  /** Requests kept in flight. */
  concurrency: number;
  /**
   * Run before counting starts. The loops start spread over its first half,
   * and it should last a few request lifetimes, so that counting starts in a
   * steady state rather than with every request sent at the same moment.
   */
  warmupSeconds: number;
  seconds: number;
  /** Gives each request a client address (X-Forwarded-For) no other request used. */
  nextAddress: () => string;
}

export interface ChangePasswordLoad {
  /** Successful changes within the measured window, per second. */
  changesPerSecond: number;
  /** Not whole: requests that straddle an edge of the window count for their part inside it. */
  changes: number;
  seconds: number;
  /** Results in the window by `__typename` (counted like `changes`); anything but ChangePasswordSuccess is a problem. */
  outcomes: Record<string, number>;
  latenciesMs: number[];
  /** Every request of the load, warm-up and drain included (what the server worked on from start to end). */
  requestsSent: number;
}

/** Several measured windows of the same flow taken as one. */
export function combineLoads(loads: ChangePasswordLoad[]): ChangePasswordLoad {
  const outcomes: Record<string, number> = {};
  for (const load of loads) {
    for (const [typename, count] of Object.entries(load.outcomes)) outcomes[typename] = (outcomes[typename] ?? 0) + count;
  }
  const changes = loads.reduce((sum, load) => sum + load.changes, 0);
  const seconds = loads.reduce((sum, load) => sum + load.seconds, 0);
  return {
    changesPerSecond: seconds > 0 ? changes / seconds : 0,
    changes,
    seconds,
    outcomes,
    latenciesMs: loads.flatMap((load) => load.latenciesMs),
    requestsSent: loads.reduce((sum, load) => sum + load.requestsSent, 0),
  };
}

/** Distinct addresses from 10.0.0.0/8, one per request, so address limits never decide. */
export function addressSequence(): () => string {
  let next = 0;
  return () => {
    const index = next++;
    return `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
  };
}

let passwordSerial = 0;
/** A new password that satisfies the standard and NIST policies and was never used before. */
function freshPassword(): string {
  passwordSerial += 1;
  return `Rotate-${passwordSerial}-Passw0rd!-quite-long`;
}

/**
 * Changes passwords as fast as the server allows: `concurrency` loops, each
 * cycling through its own share of the accounts, each change using the token
 * and password the previous one produced (every change revokes older tokens).
 */
export async function driveChangePasswords(
  serverUrl: string,
  accounts: LoadAccount[],
  settings: ChangePasswordLoadSettings,
): Promise<ChangePasswordLoad> {
  if (accounts.length < settings.concurrency) throw new Error(`Need at least ${settings.concurrency} accounts, got ${accounts.length}`);
  const client = new GraphQLClient(serverUrl, settings.concurrency);
  const requests: TimedRequest[] = [];
  let running = true;

  const changeOne = async (account: LoadAccount) => {
    const newPassword = freshPassword();
    const sentAt = performance.now();
    const { typename, data } = await client.typenameOf(
      {
        query: documents.changePassword,
        variables: { input: { currentPassword: account.password, newPassword, revokeOtherSessions: true } },
        headers: { ...bearer(account.token), 'x-forwarded-for': settings.nextAddress() },
      },
      'changePassword',
    );
    requests.push({ sentAt, doneAt: performance.now(), typename });
    if (typename === 'ChangePasswordSuccess' && typeof data.token === 'string') {
      account.password = newPassword;
      account.token = data.token;
    }
  };

  // Each loop owns its accounts: two changes of one account at once would race (and one would lose).
  const loop = async (share: LoadAccount[], index: number) => {
    await sleep(((index / settings.concurrency) * settings.warmupSeconds * 1000) / 2);
    for (let turn = 0; running; turn += 1) {
      const account = share[turn % share.length];
      if (account !== undefined) await changeOne(account);
    }
  };

  let window: { start: number; end: number };
  try {
    const shares = Array.from({ length: settings.concurrency }, (_, loopIndex) =>
      accounts.filter((_, accountIndex) => accountIndex % settings.concurrency === loopIndex),
    );
    const finished = Promise.all(shares.map(loop));
    // Awaited below; until then a failed request must not count as an unhandled rejection.
    finished.catch(() => undefined);
    await sleep(settings.warmupSeconds * 1000);
    const start = performance.now();
    await sleep(settings.seconds * 1000);
    window = { start, end: performance.now() };
    running = false;
    // Requests still in flight finish (their accounts stay usable); they count for their part inside the window.
    await finished;
  } finally {
    client.close();
  }
  return summarize(requests, window);
}

interface TimedRequest {
  sentAt: number;
  doneAt: number;
  typename: string;
}

/**
 * Each request counts for the part of its lifetime inside the window (one
 * half inside counts one half). The loops send back to back, so in a steady
 * state what this credits too much at one edge it credits too little at the
 * other; counting whole completions instead would be off by up to one per
 * loop at each edge, a lot for a window that holds a few dozen changes.
 */
function summarize(requests: TimedRequest[], window: { start: number; end: number }): ChangePasswordLoad {
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  let changes = 0;
  for (const { sentAt, doneAt, typename } of requests) {
    const inside = Math.min(doneAt, window.end) - Math.max(sentAt, window.start);
    if (inside <= 0) continue;
    const share = inside / Math.max(doneAt - sentAt, Number.EPSILON);
    if (typename === 'ChangePasswordSuccess') changes += share;
    outcomes[typename] = (outcomes[typename] ?? 0) + share;
    latencies.push(doneAt - sentAt);
  }
  const seconds = (window.end - window.start) / 1000;
  return {
    changesPerSecond: seconds > 0 ? changes / seconds : 0,
    changes,
    seconds,
    outcomes,
    latenciesMs: latencies,
    requestsSent: requests.length,
  };
}
