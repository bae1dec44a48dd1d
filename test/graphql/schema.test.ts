import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { printSchema } from 'graphql';
import { schema } from '../../src/graphql/schema.ts';

describe('the printed schema', () => {
  const printed = `${printSchema(schema)}\n`;

  it('is what schema/schema.graphql holds (run `npm run schema` after changing the code)', () => {
    expect(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8')).toBe(printed);
  });

  it('is the contract clients rely on', () => {
    expect(printed).toMatchSnapshot();
  });
});
