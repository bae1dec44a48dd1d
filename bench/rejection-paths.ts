import autocannon from 'autocannon';
import { GraphQLClient, graphQLBody, JSON_HEADERS, type GraphQLRequest } from './graphql-client.ts';

/** One cheap request kind, measured by itself at full speed. */
export interface PathSpec {
  name: string;
  operation: GraphQLRequest;
  /** The root field whose `__typename` identifies the outcome, or null to look for `expected` in the whole body. */
  field: string | null;
  /** `__typename` of `data[field]` (or, with no field, a substring the body must contain). */
  expected: string;
}

export interface PathResult {
  name: string;
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  /** Answers other than the expected one, connection errors, timeouts, non-2xx: all must be 0. */
  wrong: number;
}

export interface PathSettings {
  seconds: number;
  /** For warmPaths: all paths together, once. */
  warmupSeconds: number;
  connections: number;
}

/** Sends the request once and checks the answer; returns that exact body, which every later answer must equal. */
export async function expectedBodyOf(serverUrl: string, spec: PathSpec): Promise<string> {
  const client = new GraphQLClient(serverUrl, 1);
  try {
    if (spec.field === null) {
      const reply = await client.post(spec.operation);
      if (!reply.text.includes(spec.expected)) throw new Error(`${spec.name}: expected ${spec.expected}, got ${reply.text.slice(0, 200)}`);
      return reply.text;
    }
    const { typename, reply } = await client.typenameOf(spec.operation, spec.field);
    if (typename !== spec.expected) throw new Error(`${spec.name}: expected ${spec.expected}, got ${typename}`);
    return reply.text;
  } finally {
    client.close();
  }
}

/**
 * Runs all the paths at once, in turn on every connection, so that the code
 * behind each is optimised by V8 before any is measured: a path measured cold
 * runs at half its speed or less for its first seconds.
 */
export async function warmPaths(serverUrl: string, specs: PathSpec[], settings: PathSettings): Promise<void> {
  await autocannon({
    url: new URL('/graphql', serverUrl).href,
    connections: settings.connections,
    duration: settings.warmupSeconds,
    sampleInt: 100,
    requests: specs.map((spec) => ({
      method: 'POST',
      headers: { ...JSON_HEADERS, ...spec.operation.headers },
      body: graphQLBody(spec.operation),
    })),
  });
}

/** Drives the request with autocannon for `settings.seconds`, counting every response whose body differs from `expectedBody`. */
export async function drivePath(serverUrl: string, spec: PathSpec, expectedBody: string, settings: PathSettings): Promise<PathResult> {
  const result = await autocannon({
    url: new URL('/graphql', serverUrl).href,
    method: 'POST',
    headers: { ...JSON_HEADERS, ...spec.operation.headers },
    body: graphQLBody(spec.operation),
    connections: settings.connections,
    duration: settings.seconds,
    expectBody: expectedBody,
    // Ends within 0.1 s of the duration asked for (autocannon stops on a sample tick).
    sampleInt: 100,
  });
  return {
    name: spec.name,
    requestsPerSecond: result.requests.total / result.duration,
    requests: result.requests.total,
    seconds: result.duration,
    wrong: result.mismatches + result.errors + result.timeouts + result.non2xx,
  };
}

/** Several runs of one path taken as one. */
export function combinePaths(runs: PathResult[]): PathResult {
  const [first] = runs;
  if (first === undefined) throw new Error('No runs to combine');
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  return {
    name: first.name,
    requestsPerSecond: requests / seconds,
    requests,
    seconds,
    wrong: runs.reduce((sum, run) => sum + run.wrong, 0),
  };
}
