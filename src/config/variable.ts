import type { z } from 'zod';

/**
 * One environment variable: how its text is read, what it is when unset, and
 * what it means. `docs/configuration.md` is printed from these declarations.
 */
export interface Variable {
  /** Reads the (non-empty) text; an issue's message completes "<NAME> …". */
  readonly parse: z.ZodType<unknown, string>;
  /** Used when the variable is unset or empty, read by `parse` like any value. Without it the value is `undefined`. */
  readonly default?: string;
  /** What the docs say when unset, where that is more than `default` (it depends on NODE_ENV, or means "off"). */
  readonly unset?: string;
  /** One line of Markdown for the docs. */
  readonly description: string;
}

export interface VariableGroup<Table extends Record<string, Variable> = Record<string, Variable>> {
  readonly title: string;
  readonly variables: Table;
}

export function defineGroup<const Table extends Record<string, Variable>>(title: string, variables: Table): VariableGroup<Table> {
  return { title, variables };
}

type ValueOf<V extends Variable> = V extends { default: string } ? z.output<V['parse']> : z.output<V['parse']> | undefined;

/** The parsed values of a group's variables, by name. */
export type Values<G extends VariableGroup> = { -readonly [Name in keyof G['variables']]: ValueOf<G['variables'][Name]> };
