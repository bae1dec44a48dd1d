// Part of `npm run codegen` (after graphql-codegen): writes schema/trusted-documents.json, the
// trusted-documents manifest (docs/api/trusted-documents.md), from
//  - schema/operations/*.graphql, as graphql-codegen composed them into client/src/generated/graphql.ts (each
//    operation with the fragments it uses, printed as a client using those documents sends them), and
//  - the account page's documents (src/account-ui/documents.js), exactly as the page sends them.
// Every document is validated against the schema first: a schema change that breaks one fails here.
// `--check` (in `npm run codegen:check`, part of `npm run check`) fails on drift instead of writing.
import { type DocumentNode, parse, print, validate } from 'graphql';
import * as generated from '../../client/src/generated/graphql.ts';
import { writeOrCheckGeneratedFile } from '../config/generated-file.ts';
import { documentHash } from '../trusted-documents/manifest.ts';
import { schema } from './schema.ts';

/** An operation's document (the generated module also exports each fragment alone, which no client sends). */
const isOperation = (value: unknown): value is DocumentNode =>
  typeof value === 'object' &&
  value !== null &&
  (value as { kind?: unknown }).kind === 'Document' &&
  (value as DocumentNode).definitions.some((definition) => definition.kind === 'OperationDefinition');

const page: Record<string, unknown> = await import(new URL('../account-ui/documents.js', import.meta.url).href);

const texts = [
  ...Object.values(generated).filter(isOperation).map((document) => print(document)),
  ...Object.values(page).filter((value): value is string => typeof value === 'string'),
];

const manifest: Record<string, string> = {};
for (const text of texts) {
  const errors = validate(schema, parse(text));
  if (errors.length > 0) {
    console.error(`A trusted document does not validate against the schema:\n${text}\n${errors.map(String).join('\n')}`);
    process.exit(1);
  }
  manifest[documentHash(text)] = text;
}

const path = new URL('../../schema/trusted-documents.json', import.meta.url);
writeOrCheckGeneratedFile(path, `${JSON.stringify(manifest, null, 2)}\n`, 'npm run codegen');
