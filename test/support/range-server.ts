import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RangeBehaviour = 'ok' | 'slow' | 'status-500' | 'malformed';

/** What the range server received: everything a network observer would see of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RangeServer {
  /** The base URL to configure: requests go to `<base>/<prefix>`. */
  base: string;
  requests: SeenRequest[];
  behaviour: RangeBehaviour;
  /** Resolves when a request arrives in `slow` mode (it is never answered). */
  nextSlowRequest(): Promise<void>;
  close(): Promise<void>;
}

export const sha1Upper = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

const randomSuffix = () => randomBytes(18).toString('hex').slice(0, 35).toUpperCase();

/**
 * A k-anonymity range API on loopback, serving a corpus given as full SHA-1 →
 * count. Each answer has the corpus entries of the prefix, a few unrelated
 * breached suffixes, and padding entries with count 0 (as with Add-Padding),
 * sorted like the real service. `padded` adds given suffixes with count 0.
 */
export async function startRangeServer(corpus: Map<string, number>, padded: string[] = []): Promise<RangeServer> {
  const slowWaiters: (() => void)[] = [];
  const state: RangeServer = {
    base: '',
    requests: [],
    behaviour: 'ok',
    nextSlowRequest: () => new Promise((resolve) => slowWaiters.push(resolve)),
    close: async () => undefined,
  };

  function answer(request: IncomingMessage, response: ServerResponse, body: string): void {
    state.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
    if (state.behaviour === 'slow') {
      for (const wake of slowWaiters.splice(0)) wake();
      return; // never answered: the client's timeout has to end it
    }
    if (state.behaviour === 'status-500') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('upstream failure');
      return;
    }
    const match = /^\/range\/([0-9A-F]{5})$/.exec(request.url ?? '');
    if (match === null) {
      response.writeHead(400).end('The hash prefix was not in a valid format');
      return;
    }
    const prefix = match[1] as string;
    const lines: string[] = [];
    for (const [hash, count] of corpus) if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
    for (const suffix of padded) lines.push(`${suffix}:0`);
    for (let i = 0; i < 20; i += 1) lines.push(`${randomSuffix()}:${1 + i * 37}`);
    for (let i = 0; i < 300; i += 1) lines.push(`${randomSuffix()}:0`);
    lines.sort();
    if (state.behaviour === 'malformed') lines.splice(5, 0, `${randomSuffix().slice(1)}:12`); // a 34-character suffix
    response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  }

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => answer(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.base = `http://127.0.0.1:${port}/range`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
