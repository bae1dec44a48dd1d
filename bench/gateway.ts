// `npm run bench:gateway`: what Hive Gateway adds to `me`. Rekey (FEDERATION=true,
// TRUST_PROXY=1) and the gateway each run in a process of their own; autocannon
// sends `me { id email }` to Rekey directly, then through the gateway, each
// connection with the token of an account of its own (the gateway merges
// identical queries in flight to a subgraph: with one shared token it would
// send Rekey fewer requests than it answers), and reports gateway+Rekey ÷ Rekey alone for the mean
// latency and the throughput, and both p99s. BENCH_SECONDS (10) and
// BENCH_CONNECTIONS (10) set the load. See bench/README.md#gateway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIONS, measure, SECONDS, signedUpToken, startProcess } from './me-load.ts';

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
