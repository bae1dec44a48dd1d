import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SECRET } from './server.ts';

export interface ChildServer {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(): void;
}

/** `node src/main.ts` as production runs it: JSON logs on stdout, a port of its own. */
export async function startChildServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SERVER_SECRET: TEST_SECRET,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-child-')),
      PORT: '0',
      BCRYPT_COST: '4',
      SIGN_UP_RATE_LIMIT: '100000',
      SIGN_IN_RATE_LIMIT: '100000',
      SIGN_IN_EMAIL_RATE_LIMIT: '100000',
      TRUSTED_SIGN_IN_RATE_LIMIT: '100000',
      CHANGE_PASSWORD_RATE_LIMIT: '100000',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (errors += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/[\d.:]+)\/graphql/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`server exited early: ${output}${errors}`)));
  });
  return {
    url,
    child,
    output: () => output,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
