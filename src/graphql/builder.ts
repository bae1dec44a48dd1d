import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ZodPlugin from '@pothos/plugin-zod';
import { ValidationError } from '../errors/errors.ts';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: { DateTime: { Input: Date; Output: Date } };
}>({
  // Errors outermost, so a zod failure becomes a ValidationError member of the result union.
  // Relay last: cursor connections (User.securityEvents); no global `node` lookups.
  plugins: [ErrorsPlugin, ZodPlugin, RelayPlugin],
  relay: { nodeQueryOptions: false, nodesQueryOptions: false },
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  // No builder-wide `defaultTypes`: the result unions differ (SignOutResult and
  // SecureAccountResult have no ValidationError), so each field lists its members.
  errors: { directResult: true },
  zod: {
    validationError: (zodError) =>
      new ValidationError(
        zodError.issues.map((issue) => ({
          // Paths start at the argument (`input`); clients want the field inside it.
          path: issue.path.map(String).filter((segment, index) => !(index === 0 && segment === 'input')),
          message: issue.message,
        })),
      ),
  },
});

builder.queryType({});
builder.mutationType({});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return date;
  },
});
