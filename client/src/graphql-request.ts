/** A GraphQL response as the server sends it. */
export interface GraphQLResponse<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Where and how the client reaches Rekey. */
export interface Endpoint {
  /** The GraphQL endpoint, e.g. `https://accounts.example.com/graphql`. */
  url: string;
  /** Cookie mode: send cookies (`credentials: 'include'`) and the CSRF header cookie mode requires. */
  cookies: boolean;
  fetch: FetchFunction;
}

/**
 * True when the server refused the bearer token the request presented: the authentication signal
 * (docs/api/tokens.md#the-authentication-signal). The data of such an answer is that of a visitor
 * without a token (`me: null`, `InvalidSessionError`).
 */
export function isTokenRefused(response: { extensions?: Record<string, unknown> | undefined }): boolean {
  return response.extensions?.authentication === 'INVALID_TOKEN';
}

/** The headers every Rekey request carries; `token` adds the bearer token. */
export function rekeyHeaders(endpoint: Pick<Endpoint, 'cookies'>, token: string | null): Record<string, string> {
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    // Cookie mode refuses state-changing requests with its cookies but without this header (CSRF).
    ...(endpoint.cookies ? { 'x-graphql-yoga-csrf': '1' } : {}),
  };
}

/** POSTs one operation; network failures and non-JSON answers throw. */
export async function postGraphQL<TData>(
  endpoint: Endpoint,
  body: { query: string; variables?: Record<string, unknown> | undefined; operationName?: string | undefined },
  token: string | null,
): Promise<GraphQLResponse<TData>> {
  const response = await endpoint.fetch(endpoint.url, {
    method: 'POST',
    credentials: endpoint.cookies ? 'include' : 'same-origin',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...rekeyHeaders(endpoint, token),
    },
    body: JSON.stringify(body),
  });
  return (await response.json()) as GraphQLResponse<TData>;
}
