import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { AccountsFor } from '../http/accounts-for.ts';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import type { Config } from '../config/config.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { ServerContext } from '../http/server-context.ts';
import type { GraphQLContext } from './context.ts';
import { errorDisclosure } from './plugins/error-disclosure.ts';
import { authenticationSignal } from './plugins/authentication-signal.ts';
import type { Authentication } from '../sessions/authentication.ts';
import { exampleDocument } from './example-document.ts';
import { maskErrors } from './plugins/mask-errors.ts';
import { onePasswordFieldPerOperation } from './plugins/one-password-field.ts';
import { trustedDocumentsOnly } from './plugins/trusted-documents.ts';
import { declaredSchema, schema } from './schema.ts';
import { subgraph } from './federation/subgraph-schema.ts';
import { SessionCookie, sessionCookiePlugin } from './session-cookie.ts';

export interface GraphQLServerDeps {
  config: Config;
  accountsFor: AccountsFor;
  policy: PasswordPolicy;
  logger: AppLogger;
  /** Routes other than /graphql (REST, readiness), as Yoga plugins so CORS and error handling apply. */
  routes: Plugin<object, ServerContext>[];
}

function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** Our validation rules: one password field per operation, and no introspection unless configured. */
function documentRules(config: Config): Plugin {
  const onePasswordField = onePasswordFieldPerOperation(declaredSchema);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(onePasswordField);
      if (!config.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Every refused document (unparsable, over a bound, invalid) is answered with
 * 400 whatever the client accepts: Yoga marks such errors "spec" and would
 * downgrade them to 200 for plain `application/json`; proxies, logs and
 * clients should see a refusal as one.
 */
const refusalsAre400: Plugin = {
  onResultProcess({ result }) {
    if (Array.isArray(result) || !('errors' in result) || 'data' in result) return;
    for (const error of result.errors ?? []) {
      const extensions = error.extensions as { http?: { spec?: boolean; status?: number }; unexpected?: boolean };
      if (extensions.http?.spec && extensions.http.status === 400) extensions.http.spec = false;
      // graphql-armor's refusals carry no status at all; unexpected (masked) errors stay 500.
      else if (!extensions.http && !extensions.unexpected && !error.originalError) extensions.http = { status: 400 };
    }
  },
};

export function createGraphQLServer(deps: GraphQLServerDeps): YogaServerInstance<ServerContext, GraphQLContext> {
  const { config } = deps;
  const production = config.env === 'production';
  // Each request's cookie decisions, for the plugin that writes Set-Cookie once the answer is ready.
  const sessionCookies = new WeakMap<Request, SessionCookie>();
  // Each request's bearer token, for the plugin that signals a refused one.
  const authentications = new WeakMap<Request, Authentication>();
  // Cookie mode lets listed origins send credentials; '*' never may.
  const credentials = config.sessionCookie;
  return createYoga<ServerContext, GraphQLContext>({
    schema: config.federation ? subgraph().schema : schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    // The app bounds every body by MAX_BODY_BYTES before Yoga sees it (app.ts); Yoga's own bound would
    // re-stream each body through a TransformStream into a third Request.
    maxRequestBodySize: false,
    // TRUSTED_DOCUMENTS: the GraphQL-over-HTTP name of a persisted document's id.
    ...(config.trustedDocuments ? { extraParamNames: ['documentId'] } : {}),
    // Everything Yoga logs (unexpected errors included) goes through the redacting logger.
    logging: deps.logger,
    // Unexpected errors become "Unexpected error."; details only with EXPOSE_ERROR_DETAILS=true.
    // A database outage becomes SERVICE_UNAVAILABLE (503).
    maskedErrors: { isDev: config.exposeErrorDetails, maskError: maskErrors },
    graphiql: config.graphiql ? { title: 'Rekey', defaultQuery: exampleDocument } : false,
    // Self-contained GraphiQL (no CDN): works offline and loads no third-party script. Its page is
    // 9 MB of script, loaded on the first visit rather than held by every instance that never serves it.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    cors: (request) => {
      const origin = request.headers.get('origin');
      // Retry-After tells a browser client how long a rate limit lasts.
      const exposedHeaders = ['Retry-After'];
      if (config.corsOrigins === '*') return { origin: origin ?? '*', credentials: false, exposedHeaders };
      // An unlisted origin gets no CORS headers at all (an empty origin list would mean "any" to Yoga).
      return origin && config.corsOrigins.includes(origin) ? { origin, credentials, exposedHeaders } : false;
    },
    plugins: [
      sessionCookiePlugin(config, (request) => sessionCookies.get(request)),
      authenticationSignal((request) => authentications.get(request)),
      // Refuses simple (non-preflighted) requests that carry no custom header: cross-site forms cannot post operations.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight'] }),
      ...(config.trustedDocuments ? trustedDocumentsOnly(config.trustedDocuments) : []),
      maxDepthPlugin({ n: 8, flattenFragments: true }),
      maxAliasesPlugin({ n: 15 }),
      maxTokensPlugin({ n: 1000 }),
      maxDirectivesPlugin({ n: 50 }),
      ...(production ? [blockFieldSuggestionsPlugin()] : []),
      documentRules(config),
      refusalsAre400,
      errorDisclosure({ suggestions: !production, exposeDetails: config.exposeErrorDetails }),
      ...deps.routes,
    ],
    context: ({ request, req, writeDeadline }): GraphQLContext => {
      const { accounts, client, securityEvents } = deps.accountsFor(request, { req, writeDeadline });
      const sessionCookie = new SessionCookie(request, { enabled: config.sessionCookie, production });
      sessionCookies.set(request, sessionCookie);
      const auth = accounts.authenticate(bearerToken(request));
      authentications.set(request, auth);
      return { accounts, client, securityEvents, auth, policy: deps.policy, sessionCookie };
    },
  });
}
