// `npm run schema`: writes schema/schema.graphql from the code (`--check` fails on drift instead).
import { readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './schema.ts';

const path = new URL('../../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // Missing counts as drift.
  }
  if (current !== printed) {
    console.error('schema/schema.graphql is out of date: run `npm run schema`.');
    process.exitCode = 1;
  }
} else {
  writeFileSync(path, printed);
  console.log('Wrote schema/schema.graphql');
}
