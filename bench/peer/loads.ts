// The two ways a path of the side-by-side comparison is driven, the same for
// every contender: a fixed request at full speed with autocannon (the cheap
// paths), or closed loops whose every attempt may differ (the bcrypt paths:
// each password change uses the credential the previous one produced).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon, { type Result } from 'autocannon';
import { HttpClient, type HttpRequest } from './http-client.ts';

export interface PathRun {
  /** Expected answers per second within the measured window. */
  perSecond: number;
  seconds: number;
  /** Any other answer, connection error or timeout: each one is a problem. */
  wrong: number;
  /** A few of the wrong answers, as they came. */
  samples: string[];
}

/** A request sent unchanged at full speed; `check` decides whether the first answer is the right one, and later answers must equal it. */
export interface FixedPath {
  kind: 'fixed';
  /** Built anew for each run (a cookie that expires, for one). */
  prepare: () => Promise<HttpRequest>;
  check: (status: number, body: string) => boolean;
}

/** One attempt of closed loop `loop`; resolves null when the answer was the expected one, else what came instead. */
export interface LoopPath {
  kind: 'loop';
  attempt: (loop: number) => Promise<string | null>;
}

const SAMPLES = 3;

export type Path = FixedPath | LoopPath;

export interface DriveSettings {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

async function expectedAnswer(path: FixedPath, outgoing: HttpRequest): Promise<{ status: number; body: string }> {
  const client = new HttpClient(1);
  try {
    const { status, text } = await client.send(outgoing);
    if (!path.check(status, text)) throw new Error(`${outgoing.method} ${outgoing.url}: unexpected answer ${status} ${text.slice(0, 200)}`);
    return { status, body: text };
  } finally {
    client.close();
  }
}

async function driveFixed(path: FixedPath, settings: DriveSettings): Promise<PathRun> {
  const outgoing = await path.prepare();
  const expected = await expectedAnswer(path, outgoing);
  const options = {
    url: outgoing.url,
    method: outgoing.method,
    headers: outgoing.headers,
    ...(outgoing.body === undefined ? {} : { body: outgoing.body }),
    connections: settings.connections,
    expectBody: expected.body,
    // Ends within 0.1 s of the duration asked for (autocannon stops on a sample tick).
    sampleInt: 100,
  };
  const warmup = settings.warmupSeconds > 0 ? await autocannon({ ...options, duration: settings.warmupSeconds }) : null;
  const result = await autocannon({ ...options, duration: settings.seconds });
  const counts = (run: Result) => {
    const answered = Object.values(run.statusCodeStats).reduce((sum, { count }) => sum + count, 0);
    const right = run.statusCodeStats[String(expected.status)]?.count ?? 0;
    return { right, wrong: run.mismatches + run.errors + run.timeouts + (answered - right) };
  };
  const measured = counts(result);
  const wrong = measured.wrong + (warmup === null ? 0 : counts(warmup).wrong);
  const samples =
    wrong > 0 ? [`${JSON.stringify(result.statusCodeStats)}, ${result.mismatches} bodies other than ${expected.body.slice(0, 120)}`] : [];
  return { perSecond: Math.max(0, measured.right - result.mismatches) / result.duration, seconds: result.duration, wrong, samples };
}

/**
 * `connections` loops sending back to back; as in sign-in-parity.ts each
 * attempt counts for the part of its lifetime inside the measured window, so a
 * window holding a few dozen bcrypt-bound answers is not off by one per loop.
 */
async function driveLoops(path: LoopPath, settings: DriveSettings): Promise<PathRun> {
  const done: { sentAt: number; doneAt: number; ok: boolean }[] = [];
  const samples = new Set<string>();
  let running = true;
  const loop = async (index: number) => {
    while (running) {
      const sentAt = performance.now();
      const wrong = await path.attempt(index).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      if (wrong !== null && samples.size < SAMPLES) samples.add(wrong.slice(0, 200));
      done.push({ sentAt, doneAt: performance.now(), ok: wrong === null });
    }
  };
  const loops = Promise.all(Array.from({ length: settings.connections }, (_, index) => loop(index)));
  await sleep(settings.warmupSeconds * 1000);
  const start = performance.now();
  await sleep(settings.seconds * 1000);
  const end = performance.now();
  running = false;
  await loops;
  let counted = 0;
  let wrong = 0;
  for (const { sentAt, doneAt, ok } of done) {
    // Every answer is checked, the warm-up's too; only the expected ones inside the window count towards the rate.
    if (!ok) {
      wrong += 1;
      continue;
    }
    const inside = Math.min(doneAt, end) - Math.max(sentAt, start);
    if (inside > 0) counted += inside / Math.max(doneAt - sentAt, Number.EPSILON);
  }
  const seconds = (end - start) / 1000;
  return { perSecond: counted / seconds, seconds, wrong, samples: [...samples] };
}

export function drive(path: Path, settings: DriveSettings): Promise<PathRun> {
  return path.kind === 'fixed' ? driveFixed(path, settings) : driveLoops(path, settings);
}
