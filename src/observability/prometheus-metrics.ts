import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BcryptOperation, BreachedLookupFailuresProvider, Metrics, MetricsExposition, OutboxCountsProvider, RateLimitDecision } from './metrics.ts';

/**
 * The server's Prometheus series, on a registry of its own (not prom-client's
 * global one), so several app instances in one process never collide.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #operations: Counter<'operation' | 'result'>;
  readonly #operationSeconds: Histogram<'operation'>;
  readonly #bcrypt: Histogram<'op'>;
  readonly #rateLimitDecisions: Counter<'action' | 'decision'>;
  #outboxCounts: OutboxCountsProvider | undefined;
  #breachedLookupFailures: BreachedLookupFailuresProvider | undefined;

  constructor() {
    const registers = [this.registry];
    this.#operations = new Counter({
      name: 'rekey_operations_total',
      help: 'GraphQL query and mutation fields answered, by field and by result (the union member answered, or the error code).',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.#operationSeconds = new Histogram({
      name: 'rekey_operation_seconds',
      help: 'Time to execute the GraphQL operation that answered a query or mutation field (resolvers, database, bcrypt; not parsing), by field.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#bcrypt = new Histogram({
      name: 'rekey_bcrypt_seconds',
      help: 'Time spent in one bcrypt hash or compare.',
      labelNames: ['op'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#rateLimitDecisions = new Counter({
      name: 'rekey_rate_limit_decisions_total',
      help: 'Rate-limit decisions by action; "unavailable" when the limit store could not be asked (the attempt is refused).',
      labelNames: ['action', 'decision'],
      registers,
    });
    const outbox = (): OutboxCountsProvider | undefined => this.#outboxCounts;
    new Gauge({
      name: 'rekey_outbox_messages',
      help: 'Outbox messages by state, counted at scrape time.',
      labelNames: ['state'],
      registers,
      async collect() {
        const provider = outbox();
        if (!provider) return;
        const counts = await provider();
        this.reset();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    const breached = (): BreachedLookupFailuresProvider | undefined => this.#breachedLookupFailures;
    new Counter({
      name: 'rekey_breached_lookup_failures_total',
      help: 'Breached-password lookups that could not tell (timeout, unreachable, status, malformed, io); BREACHED_PASSWORDS_ON_ERROR decided the request.',
      labelNames: ['source', 'reason'],
      registers,
      collect() {
        const failures = breached()?.();
        if (!failures) return;
        this.reset();
        for (const [reason, count] of Object.entries(failures.byReason)) this.inc({ source: failures.source, reason }, count);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  countOperation(operation: string, result: string): void {
    this.#operations.inc({ operation, result });
  }

  observeOperation(operation: string, seconds: number): void {
    this.#operationSeconds.observe({ operation }, seconds);
  }

  observeBcrypt(op: BcryptOperation, seconds: number): void {
    this.#bcrypt.observe({ op }, seconds);
  }

  countRateLimitDecision(action: string, decision: RateLimitDecision): void {
    this.#rateLimitDecisions.inc({ action, decision });
  }

  /** The outbox worker registers how to count its messages; until then the gauge has no samples. */
  setOutboxCounts(provider: OutboxCountsProvider): void {
    this.#outboxCounts = provider;
  }

  /** The breached-password check registers its counters when one is configured. */
  setBreachedLookupFailures(provider: BreachedLookupFailuresProvider): void {
    this.#breachedLookupFailures = provider;
  }

  async exposition(): Promise<MetricsExposition> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
