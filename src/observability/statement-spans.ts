import type { LogContext, Logger, LoggerNamespace } from '@mikro-orm/core';
import { recordFinishedSpan } from './tracing.ts';
import { statementKind, statementWithoutValues } from './statement-text.ts';

const PREPARED = /^\s*(?:prepare|execute)\s+rekey_[0-9a-f]+\b/i;

/** A span for one finished database statement: its text without values, never its parameters. */
export function recordStatementSpan(sql: string, durationMs: number, failed = false): void {
  recordFinishedSpan(
    `db ${statementKind(sql)}`,
    { 'db.system.name': 'postgresql', 'db.query.text': statementWithoutValues(sql) },
    durationMs,
    failed,
  );
}

/**
 * MikroORM reports every statement it ran, with how long it took, to its
 * slow-query logger when the threshold is 0: with tracing on, the ORM is
 * opened with this one, which turns each report into a span (see db/orm.ts).
 * Only the statement is read, never `params` or the formatted text.
 */
export class StatementSpanLogger implements Logger {
  logQuery(context: LogContext): void {
    const { query } = context;
    // A prepared statement's `prepare`/`execute` carry a generated name: its caller records the statement's own text instead (db/prepared-statement.ts).
    if (typeof query !== 'string' || PREPARED.test(query)) return;
    recordStatementSpan(query, context.took ?? 0, context.level === 'error');
  }

  log(_namespace: LoggerNamespace | string, _message: string): void {}
  error(_namespace: LoggerNamespace | string, _message: string): void {}
  warn(_namespace: LoggerNamespace | string, _message: string): void {}
  setDebugMode(_debugMode: boolean | LoggerNamespace[]): void {}
  isEnabled(): boolean {
    return true;
  }
}
