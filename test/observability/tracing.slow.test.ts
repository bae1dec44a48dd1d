import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logging.ts';
import { tracingEnabled } from '../../src/observability/tracing.ts';
import { changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startRangeServer, type RangeServer } from '../support/range-server.ts';
import { waitUntil } from '../support/wait-until.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

// docs/operations/tracing.md: with OTEL_EXPORTER_OTLP_ENDPOINT set, each request
// is a span named by its operation that continues the caller's traceparent, with
// child spans for statements and bcrypt; no attribute holds a value a client sent.

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: OtlpValue }[];
}

/** An OTLP/HTTP receiver (JSON, as the exporter sends it) in the test process. */
class OtlpReceiver {
  readonly bodies: string[] = [];
  readonly #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') this.bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    return `http://127.0.0.1:${address.port}`;
  }

  spans(): OtlpSpan[] {
    return this.bodies.flatMap((body) => {
      const parsed = JSON.parse(body) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
      return (parsed.resourceSpans ?? []).flatMap((resource) => (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const attribute = (span: OtlpSpan | undefined, key: string) => span?.attributes?.find((entry) => entry.key === key)?.value;

describe('tracing off (the default)', () => {
  it('loads no SDK and makes no span', async () => {
    const server = await startTestServer();
    try {
      expect(tracingEnabled()).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const receiver = new OtlpReceiver();
  const webhooks = new WebhookReceiver();
  const logLines: string[] = [];
  let range: RangeServer;
  let server: TestServer;
  beforeAll(async () => {
    const endpoint = await receiver.start();
    await webhooks.start();
    range = await startRangeServer(new Map());
    const log = createLogger('info', (_level, line) => logLines.push(line));
    server = await startTestServer(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        BREACHED_PASSWORDS: range.base,
        WEBHOOK_URL: webhooks.url,
        WEBHOOK_SECRET: 'webhook-secret-that-is-at-least-32-bytes!',
        WEBHOOK_EVENTS: 'PASSWORD_CHANGED',
      },
      { log },
    );
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await receiver.close();
    await webhooks.stop();
    await range?.close();
  });

  it('sends a changePassword as one server span continuing the traceparent, with statement and bcrypt children, and no secret', async () => {
    const oldPassword = `Planted-Old-${randomBytes(6).toString('hex')}-1!`;
    const newPassword = `Planted-New-${randomBytes(6).toString('hex')}-2!`;
    const account = await signUp(server.graphqlUrl, uniqueEmail('traced'), oldPassword);
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const changed = await changePassword(
      server.graphqlUrl,
      account.token,
      { currentPassword: oldPassword, newPassword, revokeOtherSessions: true },
      { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
    );
    const success = expectType(changed, 'ChangePasswordSuccess');

    const request = await waitUntil(
      async () => receiver.spans().find((span) => span.traceId === traceId && span.name === 'mutation ChangePassword'),
      'the changePassword span',
    );
    // Children end before their parent and are sent no later than it; give the batch a moment to arrive.
    const children = await waitUntil(async () => {
      const found = receiver.spans().filter((span) => span.traceId === traceId && span.parentSpanId === request.spanId);
      return found.some((span) => span.name === 'bcrypt hash') ? found : null;
    }, 'the child spans');

    expect(request.parentSpanId).toBe(callerSpanId);
    expect(request.kind).toBe(2); // SERVER
    expect(attribute(request, 'graphql.operation.type')?.stringValue).toBe('mutation');
    expect(attribute(request, 'http.response.status_code')?.intValue).toEqual(expect.anything());
    const names = children.map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['bcrypt compare', 'bcrypt hash', 'db update', 'breached-passwords lookup']));
    const update = children.find((span) => span.name === 'db update' && String(attribute(span, 'db.query.text')?.stringValue).includes('"users"'));
    expect(attribute(update, 'db.query.text')?.stringValue).toMatch(/update "users" set "password" = \?/);

    // The webhook of PASSWORD_CHANGED is delivered in a trace of its own.
    await webhooks.waitFor(1);
    const delivery = await waitUntil(async () => receiver.spans().find((span) => span.name === 'outbox deliver webhook'), 'the delivery span');
    expect(delivery.parentSpanId ?? '').toBe('');
    expect(attribute(delivery, 'rekey.outbox.channel')?.stringValue).toBe('webhook');

    // No attribute anywhere holds the passwords, the address, the tokens or a hash.
    const everything = receiver.bodies.join('\n');
    for (const secret of [oldPassword, newPassword, account.email, account.token, account.refreshToken ?? 'none', success.token ?? 'none']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);

    // Every log line of the request names its trace.
    const requestLines = logLines.filter((line) => line.includes(traceId));
    expect(requestLines.some((line) => JSON.parse(line).msg === 'request')).toBe(true);
  });
});
