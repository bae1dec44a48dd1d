import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeviceTokenRepository } from '../../src/devices/device-token.repository.ts';
import { signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// A new device and the voiding of those beyond the limit are one statement
// (device-token.repository.ts): the new device must count, and stay.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({});
}, 180_000);
afterAll(() => server?.close(), 60_000);

const sql = (text: string, params: unknown[] = []) => server.rekey.orm.em.fork().execute<Record<string, unknown>[]>(text, params);

describe('the per-account device limit', () => {
  it('keeps the newest `keep` devices, the new one included, and voids the least recently used', async () => {
    const account = await signUp(server.graphqlUrl);
    const userId = Number(account.user.id);
    // signUp's own device is the least recently used of all; the four below are checked by id.
    const ids: string[] = [];
    for (let n = 0; n < 4; n += 1) {
      const id = randomUUID();
      ids.push(id);
      await new DeviceTokenRepository(server.rekey.orm.em.fork()).create({ id, userId, ttlMs: 3_600_000, keep: 3 });
      // PGlite's clock counts milliseconds: two devices created within one would tie on last_used_at.
      await sleep(2);
    }
    const rows = await sql(`select "id", "voided_reason" from "device_tokens" where "id" in (?, ?, ?, ?)`, ids);
    const reasons = new Map(rows.map((row) => [row.id, row.voided_reason]));
    expect(ids.map((id) => reasons.get(id))).toEqual(['device_limit', null, null, null]);
    const trusted = await sql(`select count(*)::int as "n" from "device_tokens" where "user_id" = ? and "voided_at" is null`, [userId]);
    expect(trusted[0]).toEqual({ n: 3 });
  });
});
