import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelopeTo: string[];
}

/**
 * A real SMTP server on loopback (smtp-server) that parses what it receives
 * with mailparser. With `hold` set, it takes a message's data but never
 * acknowledges it (a server stalled mid-delivery).
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Messages whose data arrived while held. */
  heldCount = 0;
  hold = false;
  #port = 0;
  #waiters: { count: number; held: boolean; resolve: () => void }[] = [];
  readonly #server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (this.hold) {
          this.heldCount += 1;
          this.#notify();
          return; // never answered: the client is left waiting
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            this.received.push({ raw, parsed, envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address) });
            callback();
            this.#notify();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Resolves once `count` messages have been received (or, with `held`, taken and held). */
  waitFor(count: number, { held = false } = {}): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ count, held, resolve });
      this.#notify();
    });
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      if ((waiter.held ? this.heldCount : this.received.length) < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}
