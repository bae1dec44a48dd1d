import type { IncomingMessage } from 'node:http';
import type { WriteDeadline } from './write-deadline.ts';

/** What the Node adapter passes along with each request; absent in `app.fetch` tests. */
export interface ServerContext {
  req?: IncomingMessage;
  /** Set by the app around every request (see app.ts): the request timeout stops short of a write that has begun. */
  writeDeadline?: WriteDeadline;
}
