// The orders subgraph: another team's service in the supergraph. It extends
// Rekey's User with `orders`, and trusts Rekey's access tokens through Rekey's
// public JWKS (jose): no shared secret, no call to Rekey per request.
// Run: REKEY_URL=http://127.0.0.1:4000 PORT=4002 node examples/supergraph/orders.ts
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ORDERS_SDL } from './orders-schema.ts';

interface Order {
  id: string;
  buyerId: string;
  item: string;
  placedAt: string;
}

interface OrdersContext {
  /** The account id of a valid Rekey access token, or null. */
  viewerId: string | null;
}

/** What a subgraph must add to its SDL to be executable: the Federation types and fields the gateway calls. */
const FEDERATION_DEFINITIONS = `
directive @link(url: String!, import: [String]) repeatable on SCHEMA
directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
scalar _Any
union _Entity = User
type _Service { sdl: String }
extend type Query { _service: _Service! _entities(representations: [_Any!]!): [_Entity]! }
`;

export function createOrdersServer({
  rekeyUrl,
  issuer = 'rekey',
  audience = 'rekey',
}: {
  rekeyUrl: string;
  issuer?: string;
  audience?: string;
}): Server {
  const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', rekeyUrl));
  const orders = new Map<string, Order[]>();
  const schema = createSchema<OrdersContext>({
    typeDefs: [ORDERS_SDL, FEDERATION_DEFINITIONS],
    resolvers: {
      Query: {
        recentOrders: () => [...orders.values()].flat().reverse().slice(0, 20),
        _service: () => ({ sdl: ORDERS_SDL }),
        // The gateway sends `{ __typename: "User", id }` for each User whose orders it needs.
        _entities: (_root: unknown, { representations }: { representations: { id: string }[] }) =>
          representations.map(({ id }) => ({ __typename: 'User', id })),
      },
      _Entity: { __resolveType: () => 'User' },
      Order: { buyer: ({ buyerId }: Order) => ({ __typename: 'User', id: buyerId }) },
      // Only the token's own account: the representation's id alone proves nothing.
      User: {
        orders: ({ id }: { id: string }, _args: unknown, { viewerId }: OrdersContext) => (id === viewerId ? (orders.get(id) ?? []) : []),
      },
      Mutation: {
        placeOrder: (_root: unknown, { item }: { item: string }, { viewerId }: OrdersContext) => {
          if (!viewerId) throw new GraphQLError('Sign in to place an order.', { extensions: { code: 'UNAUTHENTICATED' } });
          const order = { id: randomUUID(), buyerId: viewerId, item, placedAt: new Date().toISOString() };
          orders.set(viewerId, [...(orders.get(viewerId) ?? []), order]);
          return order;
        },
      },
    },
  });
  const yoga = createYoga<object, OrdersContext>({
    schema,
    logging: false,
    context: async ({ request }) => ({ viewerId: await verifiedSubject(request.headers.get('authorization')) }),
  });
  return createServer(yoga);

  async function verifiedSubject(authorization: string | null): Promise<string | null> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, keys, { algorithms: ['ES256'], issuer, audience, requiredClaims: ['exp', 'sub'] });
      return payload.sub ?? null;
    } catch {
      return null;
    }
  }
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 4002);
  createOrdersServer({ rekeyUrl: process.env.REKEY_URL ?? 'http://127.0.0.1:4000' }).listen(port, '127.0.0.1', () => {
    console.log(`Orders subgraph on http://127.0.0.1:${port}/graphql`);
  });
}
