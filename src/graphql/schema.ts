import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './user.ts';
import './password-policy.ts';
import './auth.ts';
import './change-password.ts';
import './security-events.ts';

/** Built once per process; every request shares it. */
export const schema = lexicographicSortSchema(builder.toSchema());
