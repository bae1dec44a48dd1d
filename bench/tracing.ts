// `npm run bench:tracing`: what OpenTelemetry tracing costs `me`. Two Rekey
// processes, one without OTEL_EXPORTER_OTLP_ENDPOINT and one exporting every
// span to an OTLP/HTTP receiver in this process; autocannon sends `me { id email }`
// to each in turn, three interleaved rounds, and the medians give tracing on ÷ off.
// BENCH_SECONDS (10, split over the rounds), BENCH_ROUNDS (3) and BENCH_CONNECTIONS (10) set the load.
// Ratios are medians of the per-round ratios: the servers share the CPU with the load generator, so
// a round's level drifts, and servers are compared within a round.
// BENCH_BASELINE_DIR=<a checkout of an earlier Rekey, with node_modules> adds its server, without
// tracing, as a third process in the same rounds: "off" against the code before tracing existed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIONS, measure, SECONDS, signedUpToken, startProcess } from './me-load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

// The collector: accepts every export, counts the bytes (proof the spans went out).
let exportedBytes = 0;
const receiver = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (exportedBytes += chunk.length));
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const baselineDir = process.env.BENCH_BASELINE_DIR;
const dirs = ['off', 'on', 'baseline'].map((name) => mkdtempSync(join(tmpdir(), `rekey-bench-${name}-`)));
const common = { SIGN_UP_RATE_LIMIT: '10000', PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'development' };
try {
  const off = await startProcess('src/main.ts', { ...common, DATA_DIR: dirs[0] }, /listening on (http:\/\/\S+\/graphql)/);
  const on = await startProcess('src/main.ts', { ...common, DATA_DIR: dirs[1], OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, /listening on (http:\/\/\S+\/graphql)/);
  const baseline = baselineDir
    ? await startProcess(join(baselineDir, 'src/main.ts'), { ...common, DATA_DIR: dirs[2] }, /listening on (http:\/\/\S+\/graphql)/)
    : null;
  const servers = { off, on, ...(baseline ? { baseline } : {}) };
  const tokens = new Map<string, string[]>();
  for (const url of Object.values(servers)) tokens.set(url, await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => signedUpToken(url, n))));
  const rounds = new Map<string, Awaited<ReturnType<typeof measure>>[]>(Object.keys(servers).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, url] of Object.entries(servers)) rounds.get(name)!.push(await measure(url, tokens.get(url)!, SECONDS / ROUNDS));
  }
  const figure = (name: string) => {
    const list = rounds.get(name)!;
    return { perSecond: median(list.map((m) => m.perSecond)), p99: median(list.map((m) => m.p99)), range: list.map((m) => m.perSecond.toFixed(0)).join('–') };
  };
  const roundRatio = (top: string, bottom: string) => {
    const ratios = rounds.get(top)!.map((m, round) => m.perSecond / rounds.get(bottom)![round]!.perSecond);
    return `${median(ratios).toFixed(2)} (median of rounds: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})`;
  };
  const [a, b] = [figure('off'), figure('on')];
  console.log(`\n\`me { id email }\`, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS / ROUNDS} s; medians (rounds)\n`);
  console.log('| server | req/s | rounds | p99 ms |\n|---|---|---|---|');
  console.log(`| tracing off | ${a.perSecond.toFixed(0)} | ${a.range} | ${a.p99} |`);
  console.log(`| tracing on, every span exported | ${b.perSecond.toFixed(0)} | ${b.range} | ${b.p99} |`);
  if (baseline) {
    const c = figure('baseline');
    console.log(`| ${baselineDir} (no tracing) | ${c.perSecond.toFixed(0)} | ${c.range} | ${c.p99} |`);
    console.log(`\ntracing off ÷ baseline: throughput ×${roundRatio('off', 'baseline')}`);
  }
  console.log(`\ntracing on ÷ off: throughput ×${roundRatio('on', 'off')}; ${exportedBytes} bytes of spans received`);
} finally {
  receiver.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  process.exit();
}
