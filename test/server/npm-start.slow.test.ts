import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { TEST_SECRET } from '../support/server.ts';

// A container runtime stops `npm start` by sending SIGTERM to npm, the process it started:
// the signal must reach node, which drains and exits 0 (docs/operations/production.md).

/** Every process below `pid` (Linux /proc), found while they run. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startNpm() {
  const child = spawn('npm', ['start', '--silent'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'production',
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-npm-start-')),
      PORT: '0',
      BCRYPT_COST: '4',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)\/graphql/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`npm start exited early: ${output}`)));
  });
  return { child, url, exited, output: () => output, processes: descendants(child.pid!) };
}

describe('npm start', () => {
  it.each([
    ['one SIGTERM', 1],
    ['two SIGTERMs in quick succession', 2],
  ])('%s to npm: node drains once, npm and node exit 0, the port closes', async (_name, signals) => {
    const npm = await startNpm();
    try {
      expect(npm.processes.length).toBeGreaterThan(0);
      for (let sent = 0; sent < signals; sent += 1) npm.child.kill('SIGTERM');
      expect(await npm.exited).toEqual([0, null]);
      // npm waits for its script; once it has exited, nothing it started is left.
      await expect(fetch(`${npm.url}/health`)).rejects.toThrow();
      expect(npm.processes.filter(alive)).toEqual([]);
      expect(npm.output().match(/SIGTERM received: draining/g)).toHaveLength(1);
      expect(npm.output()).toMatch(/Stopped\./);
      // exec keeps the script's UV_THREADPOOL_SIZE for node.
      expect(npm.output()).not.toMatch(/UV_THREADPOOL_SIZE is unset/);
    } finally {
      for (const pid of npm.processes.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });
});
