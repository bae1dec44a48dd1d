import { z } from 'zod';
import { duration, oneOf, url } from '../parsers.ts';
import { Secret } from '../../secrets/secret.ts';
import { defineGroup } from '../variable.ts';

export const operations = defineGroup('Operations', {
  LOG_LEVEL: {
    parse: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    default: 'info',
    description: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`',
  },
  METRICS_TOKEN: {
    parse: z
      .string()
      .min(16, 'must be at least 16 characters')
      .max(512, 'must be at most 512 characters')
      .transform((text) => Secret.fromText(text)),
    unset: 'unset: no `/metrics` (404)',
    description: '16–512 characters; `/metrics` then answers `Authorization: Bearer <token>` only (401 otherwise)',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    parse: url(['http:', 'https:']),
    unset: 'unset: no tracing',
    description:
      'the OpenTelemetry collector\'s base URL, e.g. `http://127.0.0.1:4318`: spans go to `<url>/v1/traces` (OTLP/HTTP); the SDK\'s other `OTEL_EXPORTER_OTLP_*` variables (headers, timeout) apply',
  },
  OTEL_SERVICE_NAME: { parse: z.string().trim().min(1).max(100), default: 'rekey', description: "the traces' `service.name`" },
  SHUTDOWN_TIMEOUT: {
    parse: duration(0, 600_000),
    default: '30s',
    description: 'on SIGTERM, how long in-flight requests may take before their connections are cut',
  },
});
