import autocannon from 'autocannon';
import { graphQLBody, JSON_HEADERS } from './graphql-client.ts';
import type { PathResult, PathSettings } from './rejection-paths.ts';

const REFRESH =
  'mutation BenchRefresh($input: RefreshSessionInput) { refreshSession(input: $input) { __typename ... on AuthPayload { refreshToken } } }';
const SUCCESS = /"__typename":"AuthPayload".*"refreshToken":"([^"]+)"/;

/** Client addresses for refreshes, from 198.18.0.0/15 (benchmarking space), so REFRESH_RATE_LIMIT never decides. */
function addressFor(index: number): string {
  return `198.${18 + ((index >>> 16) & 1)}.${(index >>> 8) & 255}.${index & 255}`;
}

/**
 * refreshSession at full speed with autocannon, like the other paths: each
 * request trades in a live refresh token and the answer's new token goes back
 * into the pool (one per connection), so every request is a real rotation.
 * A lost token (any answer but AuthPayload) counts as wrong.
 */
export async function driveRefresh(
  serverUrl: string,
  refreshTokens: string[],
  settings: PathSettings,
): Promise<{ result: PathResult; tokens: string[] }> {
  const pool = [...refreshTokens];
  let wrong = 0;
  let sent = 0;
  const result = await autocannon({
    url: new URL('/graphql', serverUrl).href,
    connections: Math.min(settings.connections, pool.length),
    duration: settings.seconds,
    sampleInt: 100,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const refreshToken = pool.shift() ?? 'none-left';
          sent += 1;
          return {
            ...request,
            headers: { ...JSON_HEADERS, 'x-forwarded-for': addressFor(sent) },
            body: graphQLBody({ query: REFRESH, variables: { input: { refreshToken } } }),
          };
        },
        onResponse: (_status, body) => {
          const match = SUCCESS.exec(body);
          if (match?.[1] === undefined) wrong += 1;
          else pool.push(match[1]);
        },
      },
    ],
  });
  return {
    result: {
      name: 'refreshSession',
      requestsPerSecond: result.requests.total / result.duration,
      requests: result.requests.total,
      seconds: result.duration,
      wrong: wrong + result.errors + result.timeouts + result.non2xx,
    },
    tokens: pool,
  };
}
