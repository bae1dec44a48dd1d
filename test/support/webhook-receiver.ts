import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  rawBody: string;
  receivedAt: number;
  /** The status we answered; null while held (or never answered). */
  answered: number | null;
}

/** How the receiver answers: a status code, or 'hold' (read the request, never answer). */
export type WebhookAnswer = number | 'hold';

/**
 * A real HTTP webhook receiver on loopback. It records every request and
 * answers as told; it can go down and come back on the same port.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (request: ReceivedWebhook) => WebhookAnswer = () => 200;
  #server: Server | null = null;
  #port = 0;
  #waiters: { count: number; predicate: (request: ReceivedWebhook) => boolean; resolve: () => void }[] = [];
  readonly #held = new Set<ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks/rekey`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => this.#handle(request, response));
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Down: the port refuses connections until `start()` again. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    for (const response of this.#held) response.destroy();
    this.#held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` requests matching `predicate` have arrived (counting those already here). */
  waitFor(count: number, predicate: (request: ReceivedWebhook) => boolean = () => true): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ count, predicate, resolve });
      this.#notify();
    });
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.received.filter(waiter.predicate).length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedWebhook = { headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now(), answered: null };
      const answer = this.answer(received);
      if (answer === 'hold') {
        this.#held.add(response);
      } else {
        received.answered = answer;
        response.writeHead(answer).end();
      }
      this.received.push(received);
      this.#notify();
    });
  }
}
