import type { Metrics } from './metrics.ts';

/**
 * Without METRICS_TOKEN there is no `/metrics` to read the series from, so none
 * is kept: no registry, no per-request counting, and prom-client (with its
 * default collectors' event-loop and GC observers) is never loaded.
 */
const unscrapedMetrics: Metrics = {
  countOperation: () => undefined,
  observeOperation: () => undefined,
  observeBcrypt: () => undefined,
  countRateLimitDecision: () => undefined,
  setOutboxCounts: () => undefined,
  setBreachedLookupFailures: () => undefined,
  exposition: async () => ({ text: '', contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
};

/** Prometheus series when `/metrics` can be scraped (METRICS_TOKEN is set); otherwise none. */
export async function openMetrics({ scraped }: { scraped: boolean }): Promise<Metrics> {
  if (!scraped) return unscrapedMetrics;
  const { PrometheusMetrics } = await import('./prometheus-metrics.ts');
  return new PrometheusMetrics();
}
