import type { ImportSummary, RowOutcome } from '../../import/account-import.ts';

/** One line for a row: tab-separated for people, or one JSON object with `--json`. Never a hash. */
export function rowLine(outcome: RowOutcome, { json, dryRun }: { json: boolean; dryRun: boolean }): string {
  if (json) return JSON.stringify(outcome.outcome === 'imported' && dryRun ? { ...outcome, outcome: 'would-import' } : outcome);
  const email = outcome.email ?? '-';
  if (outcome.outcome === 'refused') return `row ${outcome.row}\trefused\t${email}\t${outcome.reason}`;
  if (outcome.outcome === 'existing') return `row ${outcome.row}\tskipped, an account exists\t${email}`;
  return `row ${outcome.row}\t${dryRun ? 'would import' : 'imported'}\t${email}\t${outcome.format}`;
}

export function summaryLine(summary: ImportSummary, json: boolean): string {
  if (json) return JSON.stringify({ summary });
  const imported = summary.dryRun ? `${summary.imported} would be imported` : `${summary.imported} imported`;
  return `${summary.rows} rows: ${imported}, ${summary.existing} skipped (an account exists), ${summary.refused} refused.${summary.dryRun ? ' Dry run: nothing was written.' : ''}`;
}
