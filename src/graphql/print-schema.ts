// `npm run schema`: writes schema/schema.graphql from the code (`--check` fails on drift instead).
import { printSchema } from 'graphql';
import { schema } from './schema.ts';
import { writeOrCheckGeneratedFile } from '../config/generated-file.ts';

const path = new URL('../../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(schema)}\n`;
writeOrCheckGeneratedFile(path, printed, 'npm run schema');

