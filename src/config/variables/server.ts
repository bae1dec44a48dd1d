import { z } from 'zod';
import { bool, duration, oneOf, wholeNumber } from '../parsers.ts';
import { defineGroup } from '../variable.ts';
import { TrustedDocuments } from '../../trusted-documents/manifest.ts';

/** A comma list of origins such as `https://app.example.com`; `*` anywhere allows any origin. */
const origins = z.string().transform((text, ctx): string[] | '*' => {
  const list = text
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (list.includes('*')) return '*';
  const bad = list.find((origin) => !URL.canParse(origin) || new URL(origin).origin !== origin);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `has "${bad}", which is not an origin such as https://app.example.com` });
    return z.NEVER;
  }
  return list;
});

/** The path of a trusted-documents manifest, read and checked at start. */
const manifest = z.string().transform((path, ctx) => {
  try {
    return TrustedDocuments.read(path);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `${(error as Error).message} (${path})` });
    return z.NEVER;
  }
});

/** `true`/`false` (one proxy or none) or how many proxies append to X-Forwarded-For. */
const proxyHops = z.string().transform((text, ctx) => {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const parsed = bool.safeParse(text);
  if (parsed.success) return parsed.data ? 1 : 0;
  ctx.addIssue({ code: 'custom', message: 'must be true, false or the number of proxies in front of Rekey' });
  return z.NEVER;
});

export const server = defineGroup('Server', {
  NODE_ENV: {
    parse: oneOf(['development', 'production', 'test']),
    default: 'development',
    description:
      '`production` hardens defaults: no dev secret, no introspection, no GraphiQL, no field suggestions; a `HOST` beyond loopback without it prints a warning at start',
  },
  PORT: { parse: wholeNumber(0, 65_535), default: '4000', description: 'the port the server listens on' },
  HOST: { parse: z.string(), default: '127.0.0.1', description: 'the address the server listens on' },
  CORS_ORIGINS: { parse: origins, unset: 'none in production, any in development', description: 'comma-separated allowed origins' },
  TRUST_PROXY: {
    parse: proxyHops,
    default: '0',
    unset: 'off',
    description: '`true` (one proxy) or the number of proxies in front: the client address is the entry they appended to `X-Forwarded-For`',
  },
  FEDERATION: {
    parse: bool,
    default: 'false',
    description:
      '`true` serves Rekey as an Apollo Federation v2 subgraph: `User @key(fields: "id")`, `_service` and `_entities` (schema/subgraph.graphql; docs/api/federation.md)',
  },
  GRAPHQL_INTROSPECTION: { parse: bool, unset: 'on outside production', description: 'force GraphQL introspection on or off' },
  GRAPHIQL: { parse: bool, unset: 'on outside production', description: 'force GraphiQL on or off' },
  TRUSTED_DOCUMENTS: {
    parse: manifest,
    unset: 'off: any valid document runs',
    description:
      'the path of a trusted-documents manifest (`schema/trusted-documents.json`, written by `npm run codegen`): only its documents run, sent by `documentId` or as their exact text; anything else, introspection included, is refused with 400 `UNTRUSTED_DOCUMENT`, and GraphiQL is off. See docs/api/trusted-documents.md',
  },
  EXPOSE_ERROR_DETAILS: {
    parse: bool,
    unset: '`false`',
    description:
      "`true` sends unexpected errors' messages and stacks to clients (debugging only; whatever `NODE_ENV` says, off unless set). No answer ever quotes a submitted value",
  },
  REQUEST_TIMEOUT: {
    parse: duration(100, 600_000),
    default: '15s',
    description: 'a request running longer is answered 503, except a password change that has begun writing, which is let finish',
  },
  MAX_BODY_BYTES: { parse: wholeNumber(1_024, 10_485_760), default: '102400', description: 'larger request bodies get 413' },
  ACCOUNT_UI: {
    parse: bool,
    unset: 'on outside production',
    description: 'serve the self-service page at `/account` (`true` to serve it in production)',
  },
});
