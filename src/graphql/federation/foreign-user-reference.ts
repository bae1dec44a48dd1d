/**
 * A `User` entity reference for an account that is not the viewer's: it holds
 * the id the gateway sent and nothing else, and every User field but `id`
 * resolves to null for it (subgraph-schema.ts).
 */
export class ForeignUserReference {
  readonly id: string;

  constructor(id: string) {
    this.id = id;
  }
}
