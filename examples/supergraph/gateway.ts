// Hive Gateway (MIT, The Guild — the family Rekey's Yoga comes from; Apollo
// Gateway needs Apollo Server and is under the Elastic License 2.0) serving a
// composed supergraph. What Rekey needs from any gateway in front of it:
// - X-Forwarded-For: the client's address appended to what the client sent,
//   with Rekey's TRUST_PROXY=1, so per-address limits count the real client;
// - Authorization, Cookie and the CSRF header forwarded to the subgraphs;
// - Set-Cookie, WWW-Authenticate and Retry-After passed back to the client.
// See docs/api/federation.md#behind-a-gateway.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway';

/** Client request headers every subgraph receives as they are. */
export const FORWARDED_REQUEST_HEADERS = ['authorization', 'cookie', 'x-graphql-yoga-csrf', 'user-agent', 'x-request-id'];
/** Subgraph answer headers the client receives. */
export const RETURNED_RESPONSE_HEADERS = ['set-cookie', 'www-authenticate', 'retry-after'];

export function createGatewayServer({ supergraph }: { supergraph: string }): Server {
  const gateway = createGatewayRuntime<{ req?: IncomingMessage }>({
    supergraph,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, context }) => {
        const headers: Record<string, string> = {};
        for (const name of FORWARDED_REQUEST_HEADERS) {
          const value = request.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        headers['x-forwarded-for'] = forwardedFor(request.headers.get('x-forwarded-for'), context.req?.socket.remoteAddress);
        return headers;
      },
      fromSubgraphsToClient: ({ response }) => {
        const headers: Record<string, string | string[]> = {};
        for (const name of RETURNED_RESPONSE_HEADERS) {
          const values = name === 'set-cookie' ? response.headers.getSetCookie() : response.headers.get(name);
          if (values !== null && values.length > 0) headers[name] = values;
        }
        return headers;
      },
    },
  });
  return createServer(gateway);
}

/** The client's chain plus the address this gateway saw, as a proxy appends it. */
function forwardedFor(received: string | null, socketAddress: string | undefined): string {
  const address = socketAddress ?? 'unknown';
  return received ? `${received}, ${address}` : address;
}
