import { redact } from '../../observability/logging.ts';

// With EXPOSE_ERROR_DETAILS=true an unexpected error's original error (message, stack, causes) reaches
// the client. A database error's `detail` quotes data: "Failing row contains (id, email, password hash, …)",
// "Key (email)=(…) already exists". The driver appends it to the message (" - detail: …"), so it is cut
// from every text and never copied as a field; what remains goes through the logs' redaction.

/** `\n - detail: …` as MikroORM appends it, up to its hint, the first stack frame or the end. */
const DETAIL = /\n - detail: [\s\S]*?(?=\n - hint: |\n {4}at |$)/g;
const MAX_CAUSES = 3;

const clean = (text: unknown) => (typeof text === 'string' ? redact(text.replace(DETAIL, '')) : undefined);

interface ExposedError {
  message?: string;
  stack?: string;
  cause?: ExposedError;
}

/** The original error as Yoga serialised it, reduced to redacted message, stack and causes. */
export function exposedErrorDetails(original: unknown, depth = 0): ExposedError | undefined {
  if (typeof original !== 'object' || original === null) return undefined;
  const { message, stack, cause } = original as Record<string, unknown>;
  const exposed: ExposedError = {};
  const cleanMessage = clean(message);
  const cleanStack = clean(stack);
  if (cleanMessage !== undefined) exposed.message = cleanMessage;
  if (cleanStack !== undefined) exposed.stack = cleanStack;
  const exposedCause = depth < MAX_CAUSES ? exposedErrorDetails(cause, depth + 1) : undefined;
  if (exposedCause !== undefined) exposed.cause = exposedCause;
  return exposed;
}
