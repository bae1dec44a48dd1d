import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { TrustedDocuments } from '../../trusted-documents/manifest.ts';

/** The one code of every refusal (docs/api/trusted-documents.md); always HTTP 400, nothing ran. */
export const UNTRUSTED_DOCUMENT = 'UNTRUSTED_DOCUMENT';

const refusal = (message: string) => ({ message, extensions: { code: UNTRUSTED_DOCUMENT, http: { status: 400 } } });

type Params = GraphQLParams & { documentId?: unknown };

/** The id a request names: GraphQL-over-HTTP's `documentId`, or Apollo's `extensions.persistedQuery.sha256Hash`. */
function requestedId(params: Params): string | null {
  if (typeof params.documentId === 'string') return params.documentId;
  const persisted: unknown = params.extensions?.['persistedQuery'];
  if (typeof persisted !== 'object' || persisted === null) return null;
  const hash = (persisted as { sha256Hash?: unknown }).sha256Hash;
  return typeof hash === 'string' ? hash : null;
}

/**
 * A document sent as text runs when that exact text is in the manifest: the
 * request is rewritten to name it by id, as if the client had sent only the
 * id. Any other text is left for the persisted-operations plugin to refuse.
 */
function exactTextById(documents: TrustedDocuments): Plugin {
  return {
    onParams({ params, request, setParams }) {
      const { query, ...rest } = params as Params;
      // Yoga reads no documentId from a GET's address: `GET /graphql?documentId=sha256:…&variables=…`.
      const fromAddress = request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
      if (query === undefined && fromAddress !== null && requestedId(params) === null) setParams({ ...rest, documentId: fromAddress } as GraphQLParams);
      if (typeof query !== 'string') return;
      const id = documents.idOf(query);
      const requested = requestedId(params);
      // Text and id together (an Apollo persisted-query retry) must name the same document.
      if (id !== null && (requested === null || documents.textOf(requested) === query)) setParams({ ...rest, documentId: id } as GraphQLParams);
    },
  };
}

/**
 * `TRUSTED_DOCUMENTS`: only the manifest's documents run. Yoga's
 * persisted-operations plugin does the refusing; the text it runs is the
 * manifest's, validated by every rule as usual (introspection is refused
 * because no manifest document asks for it).
 */
export function trustedDocumentsOnly(documents: TrustedDocuments): Plugin[] {
  return [
    exactTextById(documents),
    usePersistedOperations({
      getPersistedOperation: (id) => documents.textOf(id),
      extractPersistedOperationId: (params) => requestedId(params as Params),
      customErrors: {
        persistedQueryOnly: refusal('This server runs only its trusted documents, and this document is not one of them.'),
        notFound: refusal('No trusted document has this documentId.'),
        keyNotFound: refusal('Send a documentId or the text of a trusted document.'),
      },
    }) as Plugin,
  ];
}
