/** The orders subgraph's SDL: it owns Order and adds `orders` to Rekey's User. */
export const ORDERS_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

type Order {
  id: ID!
  item: String!
  placedAt: String!
  """Rekey's User: the gateway asks Rekey for its fields, which answers them for the viewer only."""
  buyer: User!
}

type User @key(fields: "id") {
  id: ID!
  """The signed-in account's orders; empty for any other account."""
  orders: [Order!]!
}

type Query {
  """The latest orders of every account, newest first (a public feed)."""
  recentOrders: [Order!]!
}

type Mutation {
  """Places an order for the signed-in account (Authorization: Bearer <Rekey access token>)."""
  placeOrder(item: String!): Order!
}
`;
