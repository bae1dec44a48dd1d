// Shared by the process-level `me` benchmarks (bench:gateway, bench:tracing): Rekey and its peers
// each in a process of their own, autocannon sending `me { id email }` with a token per connection
// (a gateway merges identical queries in flight: with one shared token it would send fewer).
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ME = JSON.stringify({ query: '{ me { id email } }' });
const children: ChildProcess[] = [];
process.once('SIGTERM', () => process.exit(1));
process.once('exit', () => {
  // SIGKILL: the gateway waits for its own graceful shutdown on SIGTERM.
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `node <script>` and resolves with the first URL its output announces after `marker`. */
export function startProcess(script: string, env: NodeJS.ProcessEnv, marker: RegExp): Promise<string> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const url = marker.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output}`)));
  });
}

export async function signedUpToken(graphqlUrl: string, n: number): Promise<string> {
  const query = 'mutation ($input: SignUpInput!) { signUp(input: $input) { ... on AuthPayload { token } } }';
  const input = { email: `bench.${n}.${Date.now()}@example.com`, password: 'Bench-Gateway-Horse-9' };
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { input } }) });
  const { data } = (await response.json()) as { data: { signUp: { token?: string } } };
  if (!data.signUp.token) throw new Error('sign-up failed');
  return data.signUp.token;
}

export async function measure(url: string, tokens: string[], seconds = SECONDS) {
  const run = (duration: number) => {
    let next = 0;
    return autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          method: 'POST',
          body: ME,
          setupRequest: (request, connection) => {
            connection.token ??= tokens[next++ % tokens.length];
            return { ...request, headers: { 'content-type': 'application/json', authorization: `Bearer ${String(connection.token)}` } };
          },
          // A benchmark of error answers is worthless: every answer must name the signed-in account.
          onResponse: (status, body) => {
            if (status !== 200 || !body.includes('"email":"bench.')) wrongAnswers += 1;
          },
        },
      ],
    });
  };
  let wrongAnswers = 0;
  // A short warm-up: JIT, the gateway's query plan cache, Rekey's verified-token cache.
  await run(2);
  const result = await run(seconds);
  if (result.non2xx > 0 || result.errors > 0 || wrongAnswers > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${wrongAnswers} answers without the account`);
  }
  return { perSecond: result.requests.average, mean: result.latency.average, p50: result.latency.p50, p99: result.latency.p99 };
}

