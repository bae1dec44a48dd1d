import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signUp } from '../support/accounts.ts';
import { createTestDatabase } from '../support/database.ts';
import { startServerProcess } from '../support/server-process.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';

describe('request timeout', () => {
  it('ends a request that runs too long with a clean 503, and keeps serving', async () => {
    // Cost 15 takes over a second here; the timeout is 200 ms.
    const server = await startTestServer({ BCRYPT_COST: '15', REQUEST_TIMEOUT: '200ms' });
    try {
      const started = Date.now();
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { signUp(input: { email: "tortoise@example.com", password: "Slow-Pass-123" }) { __typename } }' }),
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ errors: [{ message: 'The request took too long and was stopped.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      expect(Date.now() - started).toBeLessThan(1_000);
      const healthy = await fetch(`${server.url}/health`);
      expect(healthy.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight changePassword after SIGTERM, then exits 0', async () => {
    const database = await createTestDatabase();
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        JWT_SECRET: TEST_SECRET,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-shutdown-')),
        PORT: '0',
        // About 0.4 s per bcrypt operation here: a change (two of them) is still running when the signal comes.
        BCRYPT_COST: '13',
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      const listening = new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          const match = /listening on (http:\/\/\S+\/graphql)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`server exited early: ${output}`)));
      });
      const url = await listening;
      const account = await signUp(url);

      const inFlight = changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
      // Long enough for the request to arrive, far shorter than the two bcrypt operations it needs.
      await delay(150);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');

      expect((await inFlight).__typename).toBe('ChangePasswordSuccess');
      const [code] = await exited;
      expect(code).toBe(0);
      expect(output).toMatch(/SIGTERM received/);
      await expect(fetch(`${url.replace('/graphql', '')}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.drop();
    }
  });
});

describe('a signal the moment the server says it listens', () => {
  // Whoever reads "listening" (a supervisor, npm, a test) may signal at once: the handlers must already
  // be there, or the default action kills the process (exit by SIGTERM, not 0). Three at once, on
  // embedded databases, so that start-ups compete for the CPU as they do under a loaded host.
  it('drains and exits 0, three processes out of three', async () => {
    const servers = await Promise.all(
      [1, 2, 3].map(() =>
        startServerProcess({
          NODE_ENV: 'production',
          JWT_SECRET: TEST_SECRET,
          DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-early-signal-')),
          PORT: '0',
          BCRYPT_COST: '4',
        }).then((server) => {
          server.child.kill('SIGTERM');
          return server;
        }),
      ),
    );
    try {
      for (const server of servers) {
        expect(await server.exited).toEqual([0, null]);
        expect(server.output()).toMatch(/SIGTERM received: draining/);
        expect(server.output()).toMatch(/Stopped\./);
      }
    } finally {
      for (const { child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
