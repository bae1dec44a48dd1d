import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
  /** The cookies the answer set, by name (the last one of a name wins). */
  cookies: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function cookiesOf(setCookie: string[] | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of setCookie ?? []) {
    const pair = line.split(';')[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals > 0) cookies[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return cookies;
}

/** A reused keep-alive connection that the server had closed as idle. */
class StaleConnectionError extends Error {
  override name = 'StaleConnectionError';
}

/** Any HTTP request over keep-alive loopback connections (GraphQLClient's counterpart for the peer's REST endpoints). */
export class HttpClient {
  readonly #agent: Agent;

  constructor(maxSockets: number) {
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Sends the request; retried once on a new connection when a reused one was reset before any answer (see GraphQLClient.post). */
  async send(outgoing: HttpRequest): Promise<HttpAnswer> {
    try {
      return await this.#send(outgoing);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      return this.#send(outgoing);
    }
  }

  #send({ method, url, headers, body }: HttpRequest): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const sent = request(url, { method, agent: this.#agent, headers: { ...headers, ...length } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            cookies: cookiesOf(response.headers['set-cookie']),
          }),
        );
        response.on('error', reject);
      });
      sent.on('error', (error: NodeJS.ErrnoException) => {
        reject(sent.reusedSocket && error.code === 'ECONNRESET' ? new StaleConnectionError(error.message) : error);
      });
      sent.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
