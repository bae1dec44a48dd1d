import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './schema/errors.ts';
import './schema/user.ts';
import './schema/session.ts';
import './schema/password-policy.ts';
import './schema/auth.ts';
import './schema/change-password.ts';
import './schema/security-events.ts';
import './schema/refresh-session.ts';
import './schema/sign-out.ts';
import './schema/recovery.ts';

/** Built once per process; every request shares it. */
export const schema = lexicographicSortSchema(builder.toSchema());
