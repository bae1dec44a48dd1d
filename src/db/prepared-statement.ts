import type { AnyEntity, EntityData } from '@mikro-orm/core';
import { isEmbedded } from './embedded-driver.ts';
import type { Db } from './orm.ts';
import { executeNamed, numberedPlaceholders, statementName, type ExecuteMethod, type ExecuteResult } from './named-statement.ts';
import { perConnection } from './per-connection.ts';
import { recordStatementSpan } from '../observability/statement-spans.ts';
import { tracingEnabled } from '../observability/tracing.ts';

interface Prepared {
  state: 'preparing' | 'ready';
  /** `execute <name>(?, …)`. */
  execute: string;
}

/**
 * At most this many statements are kept prepared per database: every caller
 * passes constant SQL, so the real number is a few dozen; a statement built
 * with changing text by mistake would otherwise fill PGlite's memory.
 */
export const MAX_PREPARED_STATEMENTS = 256;

/** SQLSTATE invalid_sql_statement_name: the statement is gone (a new PGlite instance behind the connection). */
const STATEMENT_GONE = '26000';

/** Per database connection (one per ORM, shared by its forks and transactions): the statements it holds, by SQL. */
const preparedByConnection = new WeakMap<object, Map<string, Prepared>>();

/**
 * `db.execute(sql, params, method)` for a hot statement, which embedded PGlite
 * parses and plans once instead of on every call. PGlite runs PostgreSQL on the
 * server's event loop, where parsing and planning a statement like a refresh
 * rotation took longer than executing it, and MikroORM sends every statement as
 * new text with its values inlined, so no plan is ever reused. PGlite is one
 * session for the whole process, so an SQL-level `PREPARE` lives as long as the
 * database does and `EXECUTE name(…)` runs its cached plan. Same rows, same
 * affected-row counts, same errors.
 *
 * `sql` must be constant text (values only through `?` placeholders, and no `?`
 * anywhere else): each distinct text becomes one prepared statement.
 *
 * On PostgreSQL each pooled connection prepares it once as a protocol-level
 * named statement (see executeNamed).
 *
 * Preparing happens on first use through the caller's own connection or
 * transaction (a prepared statement outlives a rolled-back transaction).
 * Callers arriving while it is being prepared run the plain SQL rather than
 * wait: waiting could deadlock, since PGlite's one connection may be held by
 * the very transaction they would be waiting for.
 */
export async function executePrepared<T extends ExecuteResult = EntityData<AnyEntity>[]>(db: Db, sql: string, params: unknown[] = [], method: ExecuteMethod = 'all'): Promise<T> {
  if (!isEmbedded(db.getDriver())) return executeNamed<T>(db, sql, params, method, MAX_PREPARED_STATEMENTS);
  const statements = perConnection(preparedByConnection, db, () => new Map<string, Prepared>());
  let prepared = statements.get(sql);
  if (prepared?.state === 'preparing') return db.execute<T>(sql, params, method);
  if (prepared === undefined) {
    if (statements.size >= MAX_PREPARED_STATEMENTS) return db.execute<T>(sql, params, method);
    const name = statementName(sql, 0);
    const { text, count } = numberedPlaceholders(sql);
    const definition = `prepare ${name} as ${text}`;
    prepared = {
      state: 'preparing',
      execute: count === 0 ? `execute ${name}` : `execute ${name}(${new Array(count).fill('?').join(', ')})`,
    };
    statements.set(sql, prepared);
    try {
      await db.execute(definition, [], 'run');
    } catch (error) {
      statements.delete(sql);
      throw error;
    }
    prepared.state = 'ready';
  }
  const started = Date.now();
  try {
    const result = await db.execute<T>(prepared.execute, params, method);
    if (tracingEnabled()) recordStatementSpan(sql, Date.now() - started);
    return result;
  } catch (error) {
    if (tracingEnabled()) recordStatementSpan(sql, Date.now() - started, true);
    if (error instanceof Error && 'code' in error && error.code === STATEMENT_GONE) statements.delete(sql);
    throw error;
  }
}
