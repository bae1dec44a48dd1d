import { Agent, request } from 'node:http';

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  /** E.g. a bearer token, or the X-Forwarded-For entry that becomes the client address. */
  headers?: Record<string, string>;
}

export interface GraphQLReply {
  status: number;
  text: string;
}

/** The JSON body of a GraphQL request, as every load generator here sends it. */
export function graphQLBody({ query, variables }: GraphQLRequest): string {
  return JSON.stringify(variables === undefined ? { query } : { query, variables });
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

/** A reused keep-alive connection that the server had closed as idle. */
class StaleConnectionError extends Error {
  override name = 'StaleConnectionError';
}

/** POSTs GraphQL operations over keep-alive loopback connections; small enough not to compete with the server for CPU. */
export class GraphQLClient {
  readonly #endpoint: URL;
  readonly #agent: Agent;

  constructor(serverUrl: string, maxSockets = 64) {
    this.#endpoint = new URL('/graphql', serverUrl);
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Sends the operation; retried once, on a new connection, when a reused
   * keep-alive connection is reset before any answer: the server closed it
   * as idle (its keep-alive timeout) just as the request went out, so the
   * request was never read (Node's http documentation gives this pattern).
   */
  async post(operation: GraphQLRequest): Promise<GraphQLReply> {
    try {
      return await this.#send(operation);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      return this.#send(operation);
    }
  }

  #send(operation: GraphQLRequest): Promise<GraphQLReply> {
    const body = graphQLBody(operation);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        this.#endpoint,
        {
          method: 'POST',
          agent: this.#agent,
          headers: { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body), ...operation.headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        reject(outgoing.reusedSocket && error.code === 'ECONNRESET' ? new StaleConnectionError(error.message) : error);
      });
      outgoing.end(body);
    });
  }

  /** The `__typename` of `data[field]`, or a short description of what came back instead. */
  async typenameOf(
    operation: GraphQLRequest,
    field: string,
  ): Promise<{ typename: string; reply: GraphQLReply; data: Record<string, unknown> }> {
    const reply = await this.post(operation);
    let parsed: { data?: Record<string, { __typename?: string } & Record<string, unknown>> | null } = {};
    try {
      parsed = JSON.parse(reply.text) as typeof parsed;
    } catch {
      // Not JSON: reported below as what came back.
    }
    const result = parsed.data?.[field];
    const typename = result?.__typename ?? `HTTP ${reply.status}: ${reply.text.slice(0, 200)}`;
    return { typename, reply, data: result ?? {} };
  }

  close(): void {
    this.#agent.destroy();
  }
}

export const documents = {
  typename: '{ __typename }',
  me: 'query BenchMe { me { id } }',
  changePassword: `mutation BenchChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) { __typename ... on ChangePasswordSuccess { token } }
  }`,
} as const;

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
