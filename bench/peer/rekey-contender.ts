// Rekey in the side-by-side comparison: a server of its own on PostgreSQL, with
// its limits raised so that the load is never refused (the comparison measures
// what a request costs; rate limits and lockouts are measured elsewhere).
import type { BenchDatabase } from '../database.ts';
import { bearer, documents, GraphQLClient, graphQLBody, JSON_HEADERS, type GraphQLRequest } from '../graphql-client.ts';
import type { SeededAccount } from '../protocol.ts';
import { BenchServer } from '../server-process.ts';
import { addressSequence } from '../change-password-load.ts';
import { freshPassword, perLoop, SEED_PASSWORD, unknownEmail, WRONG_PASSWORD, type Contender } from './contender.ts';
import type { FixedPath, LoopPath } from './loads.ts';

const SIGN_IN = 'mutation PeerSignIn($input: SignInInput!) { signIn(input: $input) { __typename } }';

export const RAISED_LIMITS = {
  CHANGE_PASSWORD_RATE_LIMIT: '1000000',
  SIGN_IN_RATE_LIMIT: '1000000',
  SIGN_IN_EMAIL_RATE_LIMIT: '1000000',
  LOCKOUT_THRESHOLD: '1000000',
  SESSION_FAILURE_LIMIT: '1000',
};

function fixed(serverUrl: string, operation: GraphQLRequest, expected: (body: string) => boolean): FixedPath {
  const url = new URL('/graphql', serverUrl).href;
  return {
    kind: 'fixed',
    prepare: async () => ({ method: 'POST', url, headers: { ...JSON_HEADERS, ...operation.headers }, body: graphQLBody(operation) }),
    check: (status, body) => status === 200 && expected(body),
  };
}

function loop(client: GraphQLClient, field: string, expected: string, operation: (loop: number) => GraphQLRequest): LoopPath {
  return {
    kind: 'loop',
    attempt: async (index) => {
      const { typename } = await client.typenameOf(operation(index), field);
      return typename === expected ? null : typename;
    },
  };
}

export interface RekeyAccounts {
  probe: SeededAccount;
  change: SeededAccount[];
  wrong: SeededAccount[];
  signIn: SeededAccount[];
}

function changeSuccess(client: GraphQLClient, accounts: SeededAccount[], loops: number, address: () => string): LoopPath {
  const next = perLoop(accounts, loops);
  return {
    kind: 'loop',
    attempt: async (index) => {
      const account = next(index);
      const newPassword = freshPassword();
      const { typename, data } = await client.typenameOf(
        {
          query: documents.changePassword,
          variables: { input: { currentPassword: account.password, newPassword, revokeOtherSessions: true } },
          headers: { ...bearer(account.token), 'x-forwarded-for': address() },
        },
        'changePassword',
      );
      if (typename !== 'ChangePasswordSuccess' || typeof data.token !== 'string') return typename;
      account.password = newPassword;
      account.token = data.token;
      return null;
    },
  };
}

export function rekeyPaths(serverUrl: string, accounts: RekeyAccounts, loops: number, forgedToken: string, client: GraphQLClient) {
  const address = addressSequence();
  const wrongAccount = perLoop(accounts.wrong, loops);
  const signInAccount = perLoop(accounts.signIn, loops);
  const change = (token: string) => ({
    query: documents.changePassword,
    variables: { input: { currentPassword: WRONG_PASSWORD, newPassword: freshPassword() } },
    headers: { ...bearer(token), 'x-forwarded-for': address() },
  });
  const signIn = (email: string) => ({
    query: SIGN_IN,
    variables: { input: { email, password: WRONG_PASSWORD } },
    headers: { 'x-forwarded-for': address() },
  });
  const me = JSON.stringify({ data: { me: { id: String(accounts.probe.id) } } });
  return {
    session: fixed(serverUrl, { query: documents.me, headers: bearer(accounts.probe.token) }, (body) => body === me),
    forged: fixed(serverUrl, { ...change(forgedToken), headers: bearer(forgedToken) }, (body) =>
      body.includes('"__typename":"InvalidSessionError"'),
    ),
    changeSuccess: changeSuccess(client, accounts.change, loops, address),
    changeWrong: loop(client, 'changePassword', 'IncorrectPasswordError', (index) => change(wrongAccount(index).token)),
    signInWrong: loop(client, 'signIn', 'InvalidCredentialsError', (index) => signIn(signInAccount(index).email)),
    signInUnknown: loop(client, 'signIn', 'InvalidCredentialsError', () => signIn(unknownEmail())),
  };
}

/** Starts Rekey on `database` with `env` (plus the raised limits), seeds its accounts and returns it as a contender. */
export async function startRekey(
  database: BenchDatabase,
  env: NodeJS.ProcessEnv,
  settings: { loops: number; forgedToken: (userId: number) => string; cpuProfileDir: string | null },
): Promise<Contender> {
  const server = await BenchServer.start({
    flow: 'rekey',
    env: { ...env, ...database.env, ...RAISED_LIMITS },
    cpuProfileDir: settings.cpuProfileDir,
  });
  try {
    const seeded = await server.request('seed', { count: 1 + 4 * settings.loops, password: SEED_PASSWORD, emailPrefix: 'peer' });
    const [probe, ...rest] = seeded;
    if (probe === undefined) throw new Error('Seeding returned no account');
    const n = settings.loops;
    const accounts = { probe, change: rest.slice(0, n), wrong: rest.slice(n, 3 * n), signIn: rest.slice(3 * n, 4 * n) };
    const client = new GraphQLClient(server.url, settings.loops);
    return {
      name: 'Rekey',
      pid: server.pid,
      paths: rekeyPaths(server.url, accounts, settings.loops, settings.forgedToken(probe.id), client),
      stop: async () => {
        client.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
