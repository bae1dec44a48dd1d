// `npm run docs:config`: writes docs/configuration.md from the variable tables (`--check` fails on drift instead).
import { renderConfigDocs } from './config-docs.ts';
import { writeOrCheckGeneratedFile } from './generated-file.ts';

const path = new URL('../../docs/configuration.md', import.meta.url);
const printed = renderConfigDocs();
writeOrCheckGeneratedFile(path, printed, 'npm run docs:config');

