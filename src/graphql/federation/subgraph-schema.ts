import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  getNullableType,
  isObjectType,
  lexicographicSortSchema,
} from 'graphql';
import type { GraphQLContext } from '../context.ts';
import { declaredSchema } from '../schema.ts';
import { ForeignUserReference } from './foreign-user-reference.ts';
import { resolveUserReference } from './resolve-user-reference.ts';
import { printSubgraphSdl } from './subgraph-sdl.ts';

/** The fields of User anyone may read through a reference: the key. */
const REFERENCE_FIELDS = new Set(['id']);

let built: { schema: GraphQLSchema; sdl: string } | undefined;

/**
 * Rekey as an Apollo Federation v2 subgraph (FEDERATION=true): the plain
 * schema's types and operations, `User @key(fields: "id")`, and the two
 * fields a gateway calls, `_service { sdl }` and `_entities`. Built once, on
 * first use, so a server without FEDERATION never builds it. See
 * docs/api/federation.md (and there why not @pothos/plugin-federation).
 */
export function subgraph(): { schema: GraphQLSchema; sdl: string } {
  built ??= buildSubgraph();
  return built;
}

function buildSubgraph(): { schema: GraphQLSchema; sdl: string } {
  // A fresh copy of every type: changing its User below changes nothing the plain schema serves.
  const base = lexicographicSortSchema(declaredSchema);
  const user = base.getType('User');
  const query = base.getQueryType();
  if (!isObjectType(user) || !query) throw new Error('the schema has no User or Query type');
  for (const field of Object.values(user.getFields())) {
    if (REFERENCE_FIELDS.has(field.name)) continue;
    // Null for a foreign reference, so every other field is nullable in the subgraph.
    field.type = getNullableType(field.type);
    field.resolve = nullForForeignReference(field.resolve ?? defaultFieldResolver);
  }
  const sdl = printSubgraphSdl(base);
  const config = base.toConfig();
  const federatedQuery = withFederationFields(query, user, sdl);
  const schema = new GraphQLSchema({
    ...config,
    query: federatedQuery,
    types: [...config.types.filter((type) => type !== query), federatedQuery],
  });
  return { schema, sdl };
}

function nullForForeignReference(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (parent, args, context, info) => (parent instanceof ForeignUserReference ? null : resolve(parent, args, context, info));
}

/** Query plus `_service` and `_entities`, as the Federation subgraph specification defines them. */
function withFederationFields(query: GraphQLObjectType, user: GraphQLObjectType, sdl: string): GraphQLObjectType {
  const any = new GraphQLScalarType({ name: '_Any', serialize: (value) => value, parseValue: (value) => value });
  const entity = new GraphQLUnionType({ name: '_Entity', types: [user], resolveType: () => 'User' });
  const service = new GraphQLObjectType({ name: '_Service', fields: { sdl: { type: GraphQLString } } });
  const { fields, ...config } = query.toConfig();
  return new GraphQLObjectType({
    ...config,
    fields: {
      ...fields,
      _service: { type: new GraphQLNonNull(service), resolve: () => ({ sdl }) },
      _entities: {
        type: new GraphQLNonNull(new GraphQLList(entity)),
        args: { representations: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(any))) } },
        resolve: (_root, args: { representations: unknown[] }, context: GraphQLContext) =>
          args.representations.map((representation) => resolveUserReference(representation, context)),
      },
    },
  });
}
