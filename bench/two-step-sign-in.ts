// `npm run bench:two-step`: what a sign-in with TOTP on costs beside one without
// (issue 31: one bcrypt compare in all; the second step none). Sequential
// sign-ins, interleaved, each account's code used once (codes are single use).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Secret as TotpSecret, TOTP } from 'otpauth';
import { loadConfig } from '../src/config/config.ts';
import { createRekey } from '../src/server/runtime.ts';
import { GraphQLClient } from './graphql-client.ts';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20);
const PASSWORD = 'Correct-Horse-Battery-9';
const AUTH = '... on AuthPayload { token }';

/** The authenticator's code `steps` 30-second steps from now. */
const code = (secret: string, steps = 0) =>
  TOTP.generate({ secret: TotpSecret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + steps * 30_000 });

/** The operation's data; anything else stops the benchmark (a figure of error answers is worthless). */
async function call(client: GraphQLClient, query: string, variables: Record<string, unknown>, token?: string): Promise<{ data: Record<string, unknown> }> {
  const reply = await client.post({ query, variables, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  const body = JSON.parse(reply.text) as { data?: Record<string, unknown> | null };
  if (!body.data) throw new Error(`unexpected answer (HTTP ${reply.status}): ${reply.text.slice(0, 200)}`);
  return { data: body.data };
}

async function account(client: GraphQLClient, index: number, totp: boolean): Promise<{ email: string; secret: string | null }> {
  const email = `two-step-${index}-${totp}@bench.test`;
  const signedUp = await call(client, `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`, { input: { email, password: PASSWORD } });
  const token = (signedUp.data.signUp as { token: string }).token;
  if (!totp) return { email, secret: null };
  const started = await call(client, 'mutation($input: StartTotpEnrollmentInput!) { startTotpEnrollment(input: $input) { ... on StartTotpEnrollmentSuccess { secret } } }', { input: { currentPassword: PASSWORD } }, token);
  const secret = (started.data.startTotpEnrollment as { secret: string }).secret;
  // The previous step's code confirms it, so the current one is still unused for the sign-in (codes are single use).
  await call(client, 'mutation($input: ConfirmTotpEnrollmentInput!) { confirmTotpEnrollment(input: $input) { __typename } }', { input: { code: code(secret, -1) } }, token);
  return { email, secret };
}

async function timedSignIn(client: GraphQLClient, { email, secret }: { email: string; secret: string | null }): Promise<number> {
  const started = performance.now();
  const first = await call(client, `mutation($input: SignInInput!) { signIn(input: $input) { __typename ${AUTH} ... on SecondFactorChallenge { challengeToken } } }`, { input: { email, password: PASSWORD } });
  const result = first.data.signIn as { __typename: string; challengeToken?: string };
  if (secret !== null) {
    if (result.__typename !== 'SecondFactorChallenge') throw new Error(`expected a challenge, got ${result.__typename}`);
    const second = await call(client, `mutation($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) { __typename } }`, { input: { challengeToken: result.challengeToken, code: code(secret) } });
    if ((second.data.verifySecondFactor as { __typename: string }).__typename !== 'AuthPayload') throw new Error('the second step was refused');
  } else if (result.__typename !== 'AuthPayload') throw new Error(`expected AuthPayload, got ${result.__typename}`);
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const limits = Object.fromEntries(
  ['SIGN_UP', 'SIGN_IN', 'SIGN_IN_EMAIL', 'TRUSTED_SIGN_IN', 'CHANGE_PASSWORD', 'SECOND_FACTOR'].map((name) => [`${name}_RATE_LIMIT`, '100000']),
);
const rekey = await createRekey(
  loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', BCRYPT_COST: process.env.BENCH_COST ?? '10', SERVER_SECRET: randomBytes(32).toString('hex'), ...limits }),
  { pgliteDir: 'memory://' },
);
const url = `${await rekey.listen()}/graphql`;
const client = new GraphQLClient(url, 1);
try {
  const plain = await Promise.all(Array.from({ length: ACCOUNTS }, (_, index) => account(client, index, false)));
  const twoStep = await Promise.all(Array.from({ length: ACCOUNTS }, (_, index) => account(client, index, true)));
  const one: number[] = [];
  const two: number[] = [];
  for (let index = 0; index < ACCOUNTS; index += 1) {
    one.push(await timedSignIn(client, plain[index]!));
    two.push(await timedSignIn(client, twoStep[index]!));
  }
  const [oneMs, twoMs] = [median(one), median(two)];
  console.log(`sign-in, one step:  median ${oneMs.toFixed(1)} ms (${ACCOUNTS} sign-ins)`);
  console.log(`sign-in, two steps: median ${twoMs.toFixed(1)} ms (signIn + verifySecondFactor)`);
  console.log(`two-step ÷ one-step: ${(twoMs / oneMs).toFixed(2)}; bcrypt compares per sign-in: 1 in both (test/second-factor/totp.test.ts)`);
} finally {
  client.close();
  await rekey.close();
}
