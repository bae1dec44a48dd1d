/** A dependency check: resolves when the dependency answers. */
export type DependencyCheck = () => Promise<unknown>;

export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  database: 'up' | 'down';
  /** Absent when no Redis is configured. */
  redis?: 'up' | 'down';
}

async function answers(check: DependencyCheck, timeoutMs: number): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
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
  readonly #timeoutMs: number;
  #draining = false;

  /**
   * `timeoutMs` bounds each check: a load balancer polls often, and a hanging
   * dependency must read as down quickly rather than hold the probe.
   */
  constructor(checks: { database: DependencyCheck; redis: DependencyCheck | null; timeoutMs?: number }) {
    this.#database = checks.database;
    this.#redis = checks.redis;
    this.#timeoutMs = checks.timeoutMs ?? 2_000;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on the instance reports not ready, for good: it is shutting down. */
  startDraining(): void {
    this.#draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const [database, redis] = await Promise.all([
      answers(this.#database, this.#timeoutMs),
      this.#redis ? answers(this.#redis, this.#timeoutMs) : undefined,
    ]);
    const report: ReadinessReport = { ready: !this.#draining && database === 'up' && redis !== 'down', draining: this.#draining, database };
    if (redis) report.redis = redis;
    return report;
  }
}
