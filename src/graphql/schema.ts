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
import './schema/email-address.ts';
import './schema/delete-account.ts';
import './schema/second-factor/challenge.ts';
import './schema/second-factor/enrollment.ts';

/**
 * Fields in the order the files above declare them; the one-password-field
 * guard names its fields in this order. Serve `schema`, not this.
 */
export const declaredSchema = builder.toSchema({ sortSchema: false });

/** Built once per process; every request shares it. Sorted, so the printed SDL is stable. */
export const schema = lexicographicSortSchema(declaredSchema);
