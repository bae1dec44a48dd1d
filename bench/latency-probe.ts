import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLClient, type GraphQLRequest } from './graphql-client.ts';
import { percentile } from './stats.ts';

export interface ProbeSettings {
  ratePerSecond: number;
  seconds: number;
  /** The exact body a correct answer has. */
  expectedText: string;
}

export interface ProbeResult {
  ratePerSecond: number;
  sent: number;
  /** Answers that were not exactly `expectedText`. */
  wrong: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Sends one request every 1/rate seconds whether or not earlier ones were
 * answered (an open loop), and times each from when it was due, so a stalled
 * server shows up in the percentiles instead of slowing the probe down.
 */
export async function probeLatency(serverUrl: string, operation: GraphQLRequest, settings: ProbeSettings): Promise<ProbeResult> {
  const client = new GraphQLClient(serverUrl, 256);
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let wrong = 0;
  const count = Math.max(1, Math.round(settings.ratePerSecond * settings.seconds));
  const intervalMs = 1000 / settings.ratePerSecond;
  const start = performance.now();
  try {
    for (let index = 0; index < count; index += 1) {
      const due = start + index * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        client.post(operation).then((reply) => {
          latencies.push(performance.now() - due);
          if (reply.text !== settings.expectedText) wrong += 1;
        }),
      );
    }
    await Promise.all(inFlight);
  } finally {
    client.close();
  }
  return {
    ratePerSecond: settings.ratePerSecond,
    sent: count,
    wrong,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
  };
}
