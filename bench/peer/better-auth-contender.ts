// Better Auth in the side-by-side comparison: bench/peer/better-auth-server.ts
// in a process of its own, accounts made through its own sign-up endpoint.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { freshPassword, perLoop, SEED_PASSWORD, unknownEmail, WRONG_PASSWORD, type Contender } from './contender.ts';
import { HttpClient, type HttpRequest } from './http-client.ts';
import type { FixedPath, LoopPath } from './loads.ts';

const SERVER_SCRIPT = new URL('./better-auth-server.ts', import.meta.url);
const START_TIMEOUT_MS = 120_000;
const TOKEN_COOKIE = 'better-auth.session_token';
const DATA_COOKIE = 'better-auth.session_data';

export interface BetterAuthStart {
  /** Label in the report. */
  name: string;
  env: NodeJS.ProcessEnv;
  cookieCache: boolean;
  cpuProfileDir: string | null;
}

async function forkServer({ name, env, cookieCache, cpuProfileDir }: BetterAuthStart): Promise<{ child: ChildProcess; url: string }> {
  const profile = cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}.cpuprofile`]
    : [];
  const child = fork(SERVER_SCRIPT, [], {
    env: { ...env, BETTER_AUTH_COOKIE_CACHE: String(cookieCache) },
    execArgv: profile,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  }
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.on('message', (message: { type: string; url: string }) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.url);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (${signal ?? `exit code ${code}`})`));
      });
    });
    return { child, url };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.disconnect();
  await exited;
  clearTimeout(timer);
}

/** A signed-up account and the session cookie of its latest sign-in. */
export interface BetterAuthAccount {
  id: string;
  email: string;
  password: string;
  cookie: string;
}

class Api {
  readonly #base: string;
  readonly #origin: string;
  readonly client: HttpClient;

  constructor(url: string, connections: number) {
    this.#base = `${url}/api/auth`;
    this.#origin = url;
    this.client = new HttpClient(connections);
  }

  /** Better Auth checks the Origin of every POST that carries a cookie, as a browser sends it. */
  post(path: string, body: unknown, cookie?: string): HttpRequest {
    const headers = { 'content-type': 'application/json', origin: this.#origin, ...(cookie ? { cookie } : {}) };
    return { method: 'POST', url: `${this.#base}${path}`, headers, body: JSON.stringify(body) };
  }

  getSession(cookie: string): HttpRequest {
    return { method: 'GET', url: `${this.#base}/get-session`, headers: { cookie } };
  }
}

const sessionCookie = (cookies: Record<string, string>) => cookies[TOKEN_COOKIE];

/** Signs up `count` accounts, a few at a time (each costs one bcrypt hash). */
export async function signUpAccounts(url: string, count: number, prefix: string): Promise<BetterAuthAccount[]> {
  const api = new Api(url, 4);
  try {
    const accounts: BetterAuthAccount[] = [];
    for (let first = 0; first < count; first += 4) {
      const batch = Array.from({ length: Math.min(4, count - first) }, async (_, offset) => {
        const email = `${prefix}-${process.pid}-${first + offset}@bench.test`;
        const answer = await api.client.send(api.post('/sign-up/email', { email, password: SEED_PASSWORD, name: 'Bench' }));
        const token = sessionCookie(answer.cookies);
        if (answer.status !== 200 || token === undefined)
          throw new Error(`Better Auth sign-up: ${answer.status} ${answer.text.slice(0, 200)}`);
        const { user } = JSON.parse(answer.text) as { user: { id: string } };
        return { id: user.id, email, password: SEED_PASSWORD, cookie: `${TOKEN_COOKIE}=${token}` };
      });
      accounts.push(...(await Promise.all(batch)));
    }
    return accounts;
  } finally {
    api.client.close();
  }
}

function sessionPath(api: Api, probe: BetterAuthAccount, cookieCache: boolean): FixedPath {
  return {
    kind: 'fixed',
    // With the cache on, a fresh session_data cookie for each run (it lives 5 minutes), as a browser would hold one.
    prepare: async () => {
      if (!cookieCache) return api.getSession(probe.cookie);
      const { cookies } = await api.client.send(api.getSession(probe.cookie));
      const data = cookies[DATA_COOKIE];
      if (data === undefined) throw new Error('Better Auth set no session_data cookie with its cookie cache on');
      return api.getSession(`${probe.cookie}; ${DATA_COOKIE}=${data}`);
    },
    check: (status, body) => status === 200 && (JSON.parse(body) as { user?: { id?: string } } | null)?.user?.id === probe.id,
  };
}

function forgedPath(api: Api): FixedPath {
  // A session token of the right shape, signed with a key the server does not have.
  const forged = `${TOKEN_COOKIE}=${randomBytes(24).toString('base64url')}.${encodeURIComponent(randomBytes(32).toString('base64'))}`;
  const request = api.post('/change-password', { currentPassword: SEED_PASSWORD, newPassword: 'Unused-Passw0rd!-bench' }, forged);
  return { kind: 'fixed', prepare: async () => request, check: (status, body) => status === 401 && body.includes('"UNAUTHORIZED"') };
}

function changeSuccess(api: Api, accounts: BetterAuthAccount[], loops: number): LoopPath {
  const next = perLoop(accounts, loops);
  return {
    kind: 'loop',
    attempt: async (index) => {
      const account = next(index);
      const newPassword = freshPassword();
      const body = { currentPassword: account.password, newPassword, revokeOtherSessions: true };
      const answer = await api.client.send(api.post('/change-password', body, account.cookie));
      const token = sessionCookie(answer.cookies);
      if (answer.status !== 200 || token === undefined || !answer.text.includes('"token":"')) return `${answer.status} ${answer.text}`;
      account.password = newPassword;
      account.cookie = `${TOKEN_COOKIE}=${token}`;
      return null;
    },
  };
}

function expecting(api: Api, status: number, code: string, request: (loop: number) => HttpRequest): LoopPath {
  return {
    kind: 'loop',
    attempt: async (index) => {
      const answer = await api.client.send(request(index));
      return answer.status === status && answer.text.includes(`"code":"${code}"`) ? null : `${answer.status} ${answer.text}`;
    },
  };
}

export interface BetterAuthAccounts {
  probe: BetterAuthAccount;
  change: BetterAuthAccount[];
  wrong: BetterAuthAccount[];
  signIn: BetterAuthAccount[];
}

function betterAuthPaths(api: Api, accounts: BetterAuthAccounts, loops: number, cookieCache: boolean): Contender['paths'] {
  if (cookieCache) return { session: sessionPath(api, accounts.probe, true) };
  const wrongAccount = perLoop(accounts.wrong, loops);
  const signInAccount = perLoop(accounts.signIn, loops);
  const signIn = (email: string) => api.post('/sign-in/email', { email, password: WRONG_PASSWORD });
  return {
    session: sessionPath(api, accounts.probe, false),
    forged: forgedPath(api),
    changeSuccess: changeSuccess(api, accounts.change, loops),
    changeWrong: expecting(api, 400, 'INVALID_PASSWORD', (index) =>
      api.post('/change-password', { currentPassword: WRONG_PASSWORD, newPassword: freshPassword() }, wrongAccount(index).cookie),
    ),
    signInWrong: expecting(api, 401, 'INVALID_EMAIL_OR_PASSWORD', (index) => signIn(signInAccount(index).email)),
    signInUnknown: expecting(api, 401, 'INVALID_EMAIL_OR_PASSWORD', () => signIn(unknownEmail())),
  };
}

/** Starts a Better Auth process; the accounts are made by the first one (both share a database and a secret). */
export async function startBetterAuth(
  start: BetterAuthStart,
  loops: number,
  accountsFrom: (url: string) => Promise<BetterAuthAccounts>,
): Promise<Contender & { accounts: BetterAuthAccounts }> {
  const { child, url } = await forkServer(start);
  try {
    const accounts = await accountsFrom(url);
    const api = new Api(url, loops);
    return {
      name: start.name,
      pid: child.pid,
      accounts,
      paths: betterAuthPaths(api, accounts, loops, start.cookieCache),
      stop: async () => {
        api.client.close();
        await stopServer(child);
      },
    };
  } catch (error) {
    await stopServer(child);
    throw error;
  }
}

/** The accounts the comparison needs, as in rekey-contender.ts: a probe, and per loop one to change, two to fail changes, one to fail sign-ins. */
export async function seedBetterAuth(url: string, loops: number): Promise<BetterAuthAccounts> {
  const [probe, ...rest] = await signUpAccounts(url, 1 + 4 * loops, 'peer');
  if (probe === undefined) throw new Error('No Better Auth account');
  return { probe, change: rest.slice(0, loops), wrong: rest.slice(loops, 3 * loops), signIn: rest.slice(3 * loops, 4 * loops) };
}
