// `npm run docs:config`: writes docs/configuration.md from the variable tables (`--check` fails on drift instead).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from './config-docs.ts';

const path = new URL('../../docs/configuration.md', import.meta.url);
const printed = renderConfigDocs();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // Missing counts as drift.
  }
  if (current !== printed) {
    console.error('docs/configuration.md is out of date: run `npm run docs:config`.');
    process.exitCode = 1;
  }
} else {
  mkdirSync(new URL('.', path), { recursive: true });
  writeFileSync(path, printed);
  console.log('Wrote docs/configuration.md');
}
