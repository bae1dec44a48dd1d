import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { useTracer } from './tracing.ts';

export interface TracingSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to `<endpoint>/v1/traces` (OTLP/HTTP, JSON). */
  endpoint: string;
  serviceName: string;
}

export interface RunningTracing {
  /** Sends the spans still queued and stops. */
  shutdown(): Promise<void>;
}

/**
 * The official SDK, loaded only when tracing is configured (this module is
 * imported dynamically): a tracer provider with a batching OTLP/HTTP
 * exporter, W3C trace context for `traceparent`, and AsyncLocalStorage so
 * spans find their request across awaits. One per process.
 */
export function startTracing(settings: TracingSettings): RunningTracing {
  const contextManager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
  });
  useTracer(provider.getTracer('rekey'));
  return {
    async shutdown() {
      useTracer(null);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
