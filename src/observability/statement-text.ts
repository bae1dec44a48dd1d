/**
 * A statement as a span may show it: its text with every literal replaced by
 * `?` (strings, numbers), so no value reaches an attribute even when the ORM
 * inlined them, and bounded in length.
 */
export function statementWithoutValues(sql: string): string {
  const text = sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\$[\s\S]*?\$\$/g, '?')
    .replace(/(?<![\w"$])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/** The statement's first word, for the span's name: `select`, `update`, `begin`. */
export function statementKind(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'statement';
}
