import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './user.ts';
import './session.ts';
import './password-policy.ts';
import './auth.ts';
import './change-password.ts';
import './security-events.ts';
import './refresh-session.ts';
import './sign-out.ts';
import './recovery.ts';

/** Built once per process; every request shares it. */
export const schema = lexicographicSortSchema(builder.toSchema());
