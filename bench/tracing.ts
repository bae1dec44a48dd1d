// `npm run bench:tracing`: what OpenTelemetry tracing costs `me`. Two Rekey
// processes, one without OTEL_EXPORTER_OTLP_ENDPOINT and one exporting every
// span to an OTLP/HTTP receiver in this process; autocannon sends `me { id email }`
// to each in turn, three interleaved rounds, and the medians give tracing on ÷ off.
// BENCH_SECONDS (10, split over the rounds) and BENCH_CONNECTIONS (10) set the load.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIONS, measure, SECONDS, signedUpToken, startProcess } from './me-load.ts';

const ROUNDS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

// The collector: accepts every export, counts the bytes (proof the spans went out).
let exportedBytes = 0;
const receiver = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const dirs = [mkdtempSync(join(tmpdir(), 'rekey-bench-off-')), mkdtempSync(join(tmpdir(), 'rekey-bench-on-'))];
const common = { SIGN_UP_RATE_LIMIT: '10000', PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development' };
try {
  const off = await startProcess('src/main.ts', { ...common, DATA_DIR: dirs[0] }, /listening on (http:\/\/\S+\/graphql)/);
  const on = await startProcess('src/main.ts', { ...common, DATA_DIR: dirs[1], OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, /listening on (http:\/\/\S+\/graphql)/);
  const tokensOf = async (url: string) => Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => signedUpToken(url, n)));
  const [offTokens, onTokens] = [await tokensOf(off), await tokensOf(on)];
  const rounds: { off: Awaited<ReturnType<typeof measure>>[]; on: Awaited<ReturnType<typeof measure>>[] } = { off: [], on: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.off.push(await measure(off, offTokens, SECONDS / ROUNDS));
    rounds.on.push(await measure(on, onTokens, SECONDS / ROUNDS));
  }
  const figure = (list: typeof rounds.off) => ({ perSecond: median(list.map((m) => m.perSecond)), p99: median(list.map((m) => m.p99)) });
  const [a, b] = [figure(rounds.off), figure(rounds.on)];
  console.log(`\n\`me { id email }\`, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS / ROUNDS} s; medians\n`);
  console.log('| tracing | req/s | p99 ms |\n|---|---|---|');
  console.log(`| off | ${a.perSecond.toFixed(0)} | ${a.p99} |`);
  console.log(`| on, every span exported | ${b.perSecond.toFixed(0)} | ${b.p99} |`);
  console.log(`\ntracing on ÷ off: throughput ×${(b.perSecond / a.perSecond).toFixed(2)}; ${exportedBytes} bytes of spans received`);
} finally {
  receiver.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit();
}
