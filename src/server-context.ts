import type { IncomingMessage } from 'node:http';

/** What the Node adapter passes along with each request; absent in `app.fetch` tests. */
export interface ServerContext {
  req?: IncomingMessage;
}
