import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { User } from '../../src/users/user.entity.ts';
import { unmanagedEntity } from '../../src/db/unmanaged-entity.ts';
import { signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
const db = () => server.rekey.orm.em.fork();

beforeAll(async () => {
  server = await startTestServer();
}, 180_000);
afterAll(() => server?.close(), 60_000);

describe('unmanagedEntity', () => {
  it('maps a row as db.map does, and nothing of it is tracked or flushed', async () => {
    const account = await signUp(server.graphqlUrl);
    const [row] = await db().execute<Record<string, unknown>[]>('select * from "users" where "id" = ?', [Number(account.user.id)]);
    if (row === undefined) throw new Error('The account has no row');

    const em = db();
    const unmanaged = unmanagedEntity(em, User, row);
    const mapped = db().map(User, row);
    expect(unmanaged).toBeInstanceOf(User);
    expect({ ...unmanaged }).toEqual({ ...mapped });
    expect(unmanaged.createdAt).toBeInstanceOf(Date);

    expect(em.getUnitOfWork().getIdentityMap().values()).toEqual([]);
    unmanaged.email = 'changed@example.com';
    await em.flush();
    const [after] = await db().execute<{ email: string }[]>('select "email" from "users" where "id" = ?', [unmanaged.id]);
    expect(after?.email).toBe(account.email);
  });
});
