import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay the test controls, in front of a real server (PostgreSQL,
 * Redis): `cut()` plays an outage, `open()` ends it on the same port.
 */
export class Relay {
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** Connections accepted during a stall, never forwarded. */
  readonly #held = new Set<Socket>();
  #stalled = false;
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
    this.#stalled = false;
    const server = createServer((client) => {
      if (this.#stalled) {
        this.#hold(client);
        return;
      }
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
   * A partition that drops packets: nothing more is forwarded either way,
   * but no connection is closed, and new ones are accepted and never
   * answered, so only a client's own timeouts can notice. `cut()` ends it.
   */
  stall(): void {
    this.#stalled = true;
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  #hold(client: Socket): void {
    this.#held.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => this.#held.delete(client));
    client.pause();
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
    for (const client of this.#held) client.destroy();
    await closed;
  }
}
