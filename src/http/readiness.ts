/** A dependency check: resolves when the dependency answers. */
export type DependencyCheck = () => Promise<unknown>;

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  database: 'up' | 'down';
  /** Absent when no Redis is configured. */
  redis?: 'up' | 'down';
}

// A load balancer polls often: a hanging dependency must read as down quickly, not hold the probe.
const CHECK_TIMEOUT_MS = 2_000;

async function answers(check: DependencyCheck): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => 'up' as const), timeout]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether this instance should get traffic: the database (and Redis, when
 * set) answer, and it is not draining for a shutdown.
 */
export class Readiness {
  readonly #database: DependencyCheck;
  readonly #redis: DependencyCheck | null;
  #draining = false;

  constructor(checks: { database: DependencyCheck; redis: DependencyCheck | null }) {
    this.#database = checks.database;
    this.#redis = checks.redis;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on the instance reports not ready, for good: it is shutting down. */
  startDraining(): void {
    this.#draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const [database, redis] = await Promise.all([answers(this.#database), this.#redis ? answers(this.#redis) : undefined]);
    const report: ReadinessReport = { ready: !this.#draining && database === 'up' && redis !== 'down', draining: this.#draining, database };
    if (redis) report.redis = redis;
    return report;
  }
}
