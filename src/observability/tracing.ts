import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

/**
 * Spans, when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT; see
 * start-tracing.ts and docs/operations/tracing.md). Off, every helper here is
 * one null check: no span, no context, no attribute is built.
 *
 * Attributes never hold a value a client sent or a secret: statement text
 * without its values, operation and route names, outcome codes.
 */
let tracer: Tracer | null = null;

export function useTracer(active: Tracer | null): void {
  tracer = active;
}

export function tracingEnabled(): boolean {
  return tracer !== null;
}

/**
 * Serves one HTTP request inside a server span that continues the caller's
 * `traceparent`; `work` gets the trace id (for the log lines) or null when off.
 */
export async function traceRequest(
  request: Request,
  path: string,
  work: (traceId: string | null) => Promise<Response>,
): Promise<Response> {
  if (tracer === null) return work(null);
  const parent = propagation.extract(context.active(), request.headers, {
    get: (headers, key) => headers.get(key) ?? undefined,
    keys: (headers) => [...headers.keys()],
  });
  const span = tracer.startSpan(`${request.method} ${path}`, {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': request.method, 'url.path': path },
  }, parent);
  try {
    const response = await context.with(trace.setSpan(parent, span), () => work(span.spanContext().traceId));
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
    throw error;
  } finally {
    span.end();
  }
}

/** Names the request's span after what it turned out to be (the GraphQL operation). */
export function nameRequestSpan(name: string, attributes: Attributes): void {
  if (tracer === null) return;
  const span = trace.getActiveSpan();
  span?.updateName(name);
  span?.setAttributes(attributes);
}

/** Runs `work` in a child span of the current one (a root span outside any request). */
export async function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (tracer === null) return work();
  return tracer.startActiveSpan(name, { kind, attributes }, async (span: Span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * A child span of the current one for work that has just ended and took
 * `durationMs` (bcrypt's and the ORM's statements report after the fact).
 */
export function recordFinishedSpan(name: string, attributes: Attributes, durationMs: number, failed = false): void {
  if (tracer === null) return;
  const end = Date.now();
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime: end - durationMs });
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}
