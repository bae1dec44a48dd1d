// `npm run schema`: writes schema/schema.graphql, and schema/subgraph.graphql (the FEDERATION=true SDL),
// from the code (`--check` fails on drift instead).
import { printSchema } from 'graphql';
import { schema } from './schema.ts';
import { writeOrCheckGeneratedFile } from '../config/generated-file.ts';
import { subgraph } from './federation/subgraph-schema.ts';

const path = new URL('../../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;
writeOrCheckGeneratedFile(path, printed, 'npm run schema');
writeOrCheckGeneratedFile(new URL('../../schema/subgraph.graphql', import.meta.url), subgraph().sdl, 'npm run schema');
