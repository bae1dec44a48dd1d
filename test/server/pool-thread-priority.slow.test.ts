import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Name and niceness of every thread of this process, from /proc. */
function threads(): { id: number; name: string; nice: number }[] {
  return readdirSync('/proc/self/task').map((id) => {
    const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
    // Fields after the command name (in parentheses); niceness is the 19th field of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { id: Number(id), name: readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim(), nice: Number(fields[16]) };
  });
}

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('bcrypt threads run below the event loop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  it('renices every libuv pool thread to BCRYPT_THREAD_NICE (default 10) and leaves the main thread alone', () => {
    expect(server.config.bcryptThreadNice).toBe(10);
    const pool = threads().filter((thread) => thread.name === 'libuv-worker');
    expect(pool.length).toBeGreaterThan(0);
    expect(pool.map((thread) => thread.nice)).toEqual(pool.map(() => 10));
    expect(threads().find((thread) => thread.id === process.pid)?.nice).toBe(0);
  });
});

describe('BCRYPT_THREAD_NICE', () => {
  it('takes 0 (off) to 19 and refuses anything else', () => {
    expect(loadConfig({ BCRYPT_THREAD_NICE: '0' }).bcryptThreadNice).toBe(0);
    expect(loadConfig({ BCRYPT_THREAD_NICE: '19' }).bcryptThreadNice).toBe(19);
    for (const value of ['20', '-1', 'low']) {
      expect(() => loadConfig({ BCRYPT_THREAD_NICE: value })).toThrow(ConfigError);
      expect(() => loadConfig({ BCRYPT_THREAD_NICE: value })).toThrow(/BCRYPT_THREAD_NICE/);
    }
  });
});
