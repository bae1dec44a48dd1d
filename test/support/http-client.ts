import { Agent, request } from 'node:http';

/** What a client saw: an answer, a refused connection (nothing was sent), or a failure after sending. */
export type Outcome =
  | { kind: 'answered'; status: number; connectionClose: boolean; body: string; at: number }
  | { kind: 'refused'; at: number }
  | { kind: 'failed'; error: string; at: number; staleKeepAlive?: boolean };

export const keepAliveAgent = (maxSockets = 1) => new Agent({ keepAlive: true, maxSockets });

/**
 * One HTTP request over node:http (not fetch), so a refused connection and a
 * connection dropped after the request was sent can be told apart.
 */
export function send(
  url: string,
  { method = 'GET', body, headers = {}, agent }: { method?: string; body?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method, agent, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ kind: 'answered', status: res.statusCode ?? 0, connectionClose: res.headers.connection === 'close', body: text, at: Date.now() }),
      );
      res.on('error', (error) => resolve({ kind: 'failed', error: error.message, at: Date.now() }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') return resolve({ kind: 'refused', at: Date.now() });
      // Node's own advice (http: request.reusedSocket): a reset on a reused kept-alive socket, before any
      // answer, is the server having closed that idle connection as the request left — it never read it.
      const staleKeepAlive = req.reusedSocket && error.code === 'ECONNRESET';
      resolve({ kind: 'failed', error: `${error.code ?? ''} ${error.message}`, at: Date.now(), ...(staleKeepAlive ? { staleKeepAlive } : {}) });
    });
    req.end(body);
  });
}

export const graphqlBody = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

export const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { __typename } }';
export const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }';
