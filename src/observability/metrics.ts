/** How many outbox messages are in each state (e.g. `pending`, `dead`); asked at each scrape. */
export type OutboxCountsProvider = () => Promise<Record<string, number>> | Record<string, number>;

/** Breached-password lookups that could not tell, by reason; read at each scrape. */
export interface BreachedLookupFailures {
  source: string;
  byReason: Readonly<Record<string, number>>;
}
export type BreachedLookupFailuresProvider = () => BreachedLookupFailures;

export type BcryptOperation = 'hash' | 'compare';
export type RateLimitDecision = 'allowed' | 'limited' | 'unavailable';
/** The Prometheus text exposition and its content type. */
export interface MetricsExposition {
  text: string;
  contentType: string;
}

/** What the server counts and times for Prometheus (`/metrics`). */
export interface Metrics {
  countOperation(operation: string, result: string): void;
  observeOperation(operation: string, seconds: number): void;
  observeBcrypt(op: BcryptOperation, seconds: number): void;
  countRateLimitDecision(action: string, decision: RateLimitDecision): void;
  /** The outbox worker registers how to count its messages; until then the gauge has no samples. */
  setOutboxCounts(provider: OutboxCountsProvider): void;
  /** The breached-password check registers its counters when one is configured. */
  setBreachedLookupFailures(provider: BreachedLookupFailuresProvider): void;
  /** Empty where no series are kept. */
  exposition(): Promise<MetricsExposition>;
}
