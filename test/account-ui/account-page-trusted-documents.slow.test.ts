import { fileURLToPath } from 'node:url';

// The /account page end to end (account-page.slow.test.ts, every test of it) with TRUSTED_DOCUMENTS on every
// server: the page sends only documents of schema/trusted-documents.json, as written in
// src/account-ui/documents.js, so nothing it does is refused (docs/api/trusted-documents.md).
process.env['ACCOUNT_PAGE_SERVER_ENV'] = JSON.stringify({
  TRUSTED_DOCUMENTS: fileURLToPath(new URL('../../schema/trusted-documents.json', import.meta.url)),
});
await import('./account-page.slow.test.ts');
