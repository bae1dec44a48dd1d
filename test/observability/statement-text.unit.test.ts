import { describe, expect, it } from '@jest/globals';
import { statementKind, statementWithoutValues } from '../../src/observability/statement-text.ts';

// docs/operations/tracing.md: a statement reaches a span without its values, even when the ORM inlined them.
describe('a statement as a span shows it', () => {
  it('replaces string and number literals, keeps placeholders, identifiers and keywords', () => {
    expect(statementWithoutValues(`update "users" set "password" = '$2b$10$abc''def', "lockouts" = 0 where "id" = 42 and "email" = 'ada@example.com'`)).toBe(
      'update "users" set "password" = ?, "lockouts" = ? where "id" = ? and "email" = ?',
    );
    expect(statementWithoutValues('select * from "users" u0 where u0."id" = ? limit 1')).toBe('select * from "users" u0 where u0."id" = ? limit ?');
    expect(statementWithoutValues(`select $$secret$$, -1.5e3, "t2"."col9" from t2`)).toBe('select ?, ?, "t2"."col9" from t2');
    expect(statementWithoutValues(`insert into x values ('it''s', E'x')`)).not.toMatch(/it|'x'/);
  });

  it('bounds the text and names the kind', () => {
    expect(statementWithoutValues(`select ${'a, '.repeat(1000)}b`).length).toBeLessThanOrEqual(1001);
    expect(statementKind('  UPDATE "users" set x = ?')).toBe('update');
    expect(statementKind('')).toBe('statement');
  });
});
