import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay the test controls, in front of a real server (PostgreSQL,
 * Redis): `cut()` plays an outage, `open()` ends it on the same port.
 */
export class Relay {
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  readonly #target: { host: string; port: number };
  #server: Server | null = null;
  port = 0;

  constructor(target: URL, defaultPort: number) {
    this.#target = { host: target.hostname, port: Number(target.port || defaultPort) };
  }

  /** The target URL rewritten to go through the relay. */
  url(target: URL): string {
    const viaRelay = new URL(target);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(this.port);
    return viaRelay.toString();
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target.port, this.#target.host);
      const pair = { client, upstream };
      this.#pairs.add(pair);
      for (const socket of [client, upstream]) {
        socket.on('close', () => {
          this.#pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        });
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * New connections are refused and nothing more is forwarded to the server;
   * answers to what it already received still come back for `drainMs`, then
   * every connection is dropped. So the outage starts between two messages:
   * a statement either reached the server and its answer reached the client,
   * or it never ran. (A commit whose acknowledgement is lost in flight is in
   * doubt for any database client; this test is about what Rekey adds.)
   */
  async cut(drainMs = 100): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      client.pause();
    }
    await new Promise((resolve) => setTimeout(resolve, drainMs));
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    await closed;
  }
}
