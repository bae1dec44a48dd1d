// `npm run bench`: Rekey against its physical limit (bcrypt), side by side in
// one run. `npm run bench -- --help` lists the options; bench/RESULTS.md has a run.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { forgedToken, measure, serverEnv } from './measure.ts';
import { parseOptions, usage, UsageError, type BenchOptions } from './options.ts';
import { buildPeerReport, formatPeerTable, peerProblems } from './peer/peer-report.ts';
import { measurePeer } from './peer/peer-run.ts';
import { buildReport, formatTable } from './report.ts';
import { formatSoak, soak } from './soak.ts';
import { measureTokenVerification } from './token-verification.ts';

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;

function progress(message: string): void {
  process.stderr.write(`bench ${elapsed().toFixed(1).padStart(5)}s: ${message}\n`);
}

/** The peer comparison's Rekey server is configured as the others are (measure.ts), at the peer's cost. */
function peerEnvironment(options: BenchOptions) {
  const threadpoolSize = Number(process.env.UV_THREADPOOL_SIZE) || availableParallelism();
  const secret = randomBytes(48).toString('base64url');
  // The database comes from the peer run (PostgreSQL, its own); this one is never used.
  const noDatabase = { kind: 'PGlite' as const, env: {}, drop: async () => undefined };
  return {
    options,
    rekeyEnv: (cost: number) => serverEnv(noDatabase, options, cost, secret, threadpoolSize),
    forgedToken,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    console.log(usage);
    return;
  }
  if (options.soakMinutes > 0) {
    const report = await soak(options, progress);
    console.log(formatSoak(report));
    console.log();
    console.log(JSON.stringify(report, null, 2));
    if (options.jsonPath) await writeFile(options.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    const unexpected = Object.values(report.unexpected).reduce((sum, count) => sum + count, 0);
    progress(`soak done in ${elapsed().toFixed(0)} s: ${report.target.met ? 'RSS flat' : 'RSS grew'}; ${unexpected} unexpected answers`);
    if (unexpected > 0) process.exitCode = 1;
    return;
  }
  if (options.peerOnly) {
    const peer = buildPeerReport(await measurePeer(peerEnvironment(options), progress));
    console.log(formatPeerTable(peer));
    console.log();
    console.log(JSON.stringify(peer, null, 2));
    if (options.jsonPath) await writeFile(options.jsonPath, `${JSON.stringify(peer, null, 2)}\n`);
    for (const problem of peerProblems(peer)) progress(`problem: ${problem}`);
    if (peerProblems(peer).length > 0) process.exitCode = 1;
    return;
  }
  const measurements = await measure(options, progress);
  const peer = buildPeerReport(await measurePeer(peerEnvironment(options), progress));
  const rekey = buildReport(measurements, elapsed(), measureTokenVerification(options.quick));
  const targets = [...rekey.targets, ...peer.targets];
  const report = { ...rekey, targets, allTargetsMet: targets.every((t) => t.met), peer, problems: [...rekey.problems, ...peerProblems(peer)] };
  const json = JSON.stringify(report, null, 2);
  console.log(formatTable(report));
  console.log();
  console.log(formatPeerTable(peer));
  console.log();
  console.log(json);
  if (options.jsonPath) await writeFile(options.jsonPath, `${json}\n`);
  for (const problem of report.problems) progress(`problem: ${problem}`);
  const met = report.targets.filter((target) => target.met).length;
  progress(
    `${met} of ${report.targets.length} targets met in ${report.elapsedSeconds} s` +
      (options.quick ? ' (quick mode only proves that the benchmark works; its figures mean little)' : ''),
  );
  // Unexpected answers mean something else was measured; missed targets are results.
  if (report.problems.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
