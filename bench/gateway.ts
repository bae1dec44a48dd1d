// `npm run bench:gateway`: what Hive Gateway adds to `me`. Rekey (FEDERATION=true,
// TRUST_PROXY=1) and the gateway each run in a process of their own; autocannon
// sends `me { id email }` to Rekey directly, then through the gateway, each
// connection with the token of an account of its own (the gateway merges
// identical queries in flight to a subgraph: with one shared token it would
// send Rekey fewer requests than it answers), and reports gateway+Rekey ÷ Rekey alone for the mean
// latency and the throughput, and both p99s. BENCH_SECONDS (10) and
// BENCH_CONNECTIONS (10) set the load. See bench/README.md#gateway.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ME = JSON.stringify({ query: '{ me { id email } }' });
const children: ChildProcess[] = [];
process.once('SIGTERM', () => process.exit(1));
process.once('exit', () => {
  // SIGKILL: the gateway waits for its own graceful shutdown on SIGTERM.
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `node <script>` and resolves with the first URL its output announces after `marker`. */
function startProcess(script: string, env: NodeJS.ProcessEnv, marker: RegExp): Promise<string> {
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

async function signedUpToken(graphqlUrl: string, n: number): Promise<string> {
  const query = 'mutation ($input: SignUpInput!) { signUp(input: $input) { ... on AuthPayload { token } } }';
  const input = { email: `bench.${n}.${Date.now()}@example.com`, password: 'Bench-Gateway-Horse-9' };
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { input } }) });
  const { data } = (await response.json()) as { data: { signUp: { token?: string } } };
  if (!data.signUp.token) throw new Error('sign-up failed');
  return data.signUp.token;
}

async function measure(url: string, tokens: string[]) {
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
        },
      ],
    });
  };
  // A short warm-up: JIT, the gateway's query plan cache, Rekey's verified-token cache.
  await run(2);
  const result = await run(SECONDS);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { perSecond: result.requests.average, mean: result.latency.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const dataDir = mkdtempSync(join(tmpdir(), 'rekey-bench-gateway-'));
try {
  const rekeyGraphql = await startProcess(
    'src/main.ts',
    { FEDERATION: 'true', TRUST_PROXY: '1', DATA_DIR: dataDir, SIGN_UP_RATE_LIMIT: '10000', PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development' },
    /listening on (http:\/\/\S+\/graphql)/,
  );
  const gatewayGraphql = await startProcess('bench/gateway-server.ts', { REKEY_URL: rekeyGraphql.replace(/\/graphql$/, '') }, /gateway (http:\/\/\S+)/);
  const tokens: string[] = [];
  for (let n = 0; n < CONNECTIONS; n += 1) tokens.push(await signedUpToken(rekeyGraphql, n));
  const alone = await measure(rekeyGraphql, tokens);
  const behind = await measure(gatewayGraphql, tokens);
  const row = (name: string, m: typeof alone) =>
    `| ${name} | ${m.perSecond.toFixed(0)} | ${m.mean.toFixed(2)} | ${m.p50.toFixed(0)} | ${m.p99.toFixed(0)} |`;
  console.log(`\n\`me { id email }\`, ${CONNECTIONS} connections, ${SECONDS} s each\n`);
  console.log('| path | req/s | mean ms | p50 ms | p99 ms |\n|---|---|---|---|---|');
  console.log(row('Rekey alone', alone));
  console.log(row('Hive Gateway + Rekey', behind));
  console.log(`\ngateway+Rekey ÷ Rekey alone: mean latency ×${(behind.mean / alone.mean).toFixed(2)}, throughput ×${(behind.perSecond / alone.perSecond).toFixed(2)}, p99 ${alone.p99} → ${behind.p99} ms`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit();
}
