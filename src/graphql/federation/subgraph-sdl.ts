import { type ConstDirectiveNode, type DocumentNode, Kind, parse, print, printSchema, type GraphQLSchema, visit } from 'graphql';

/** Federation v2.6: the version Hive Gateway and @theguild/federation-composition both understand. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

/**
 * The subgraph SDL the gateway composes (`_service { sdl }`, and
 * schema/subgraph.graphql): the schema as printed, `@link` to Federation v2
 * importing `@key`, and `@key(fields: "id")` on User. graphql-js prints no
 * applied directive, so they are added to the printed document's AST.
 */
export function printSubgraphSdl(schema: GraphQLSchema): string {
  const document = parse(printSchema(schema));
  let keyed = 0;
  const withKey = visit(document, {
    ObjectTypeDefinition(node) {
      if (node.name.value !== 'User') return undefined;
      keyed += 1;
      return { ...node, directives: [...(node.directives ?? []), keyDirective('id')] };
    },
  });
  if (keyed !== 1) throw new Error('the subgraph SDL has no User type to key');
  return `${print(withLink(withKey))}\n`;
}

function keyDirective(fields: string): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'key' },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'fields' }, value: { kind: Kind.STRING, value: fields } }],
  };
}

function withLink(document: DocumentNode): DocumentNode {
  const link = parse(`extend schema @link(url: "${FEDERATION_LINK}", import: ["@key"])`);
  return { ...document, definitions: [...link.definitions, ...document.definitions] };
}
