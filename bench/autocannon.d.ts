// The part of autocannon 9's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number;
    min: number;
    max: number;
    p50: number;
    p99: number;
    /** For `requests`: every completed request. */
    total: number;
  }

  interface Options {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    pipelining?: number;
    /** Seconds. */
    duration?: number;
    /** Each response whose body differs counts as a mismatch. */
    expectBody?: string;
    /** Milliseconds between samples; the run ends on a sample, so durations round up to it (default 1000). */
    sampleInt?: number;
    warmup?: { connections?: number; duration?: number };
    /** Sent in turn by every connection, instead of one request. */
    requests?: {
      method?: 'GET' | 'POST';
      headers?: Record<string, string>;
      body?: string;
      /** Rewrites each request just before it is sent (body, headers); `context` is the connection's own object. */
      setupRequest?: (request: RawRequest, context: Record<string, unknown>) => RawRequest;
      /** Sees each answer. */
      onResponse?: (status: number, body: string) => void;
    }[];
  }

  interface RawRequest {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  export interface Result {
    /** Seconds. */
    duration: number;
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    /** Answers by HTTP status. */
    statusCodeStats: Record<string, { count: number }>;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
