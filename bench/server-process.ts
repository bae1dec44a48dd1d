import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CommandName, Commands, Flow, ServerMessage } from './protocol.ts';

const SERVER_SCRIPT = new URL('./server.ts', import.meta.url);
// Generous: PGlite on disk starts in a few seconds on a quiet machine, but a loaded CI host can take much longer.
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ServerStart {
  flow: Flow;
  env: NodeJS.ProcessEnv;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  cpuProfileDir: string | null;
}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

/** A bench server (bench/server.ts) in a child process, driven over IPC. */
export class BenchServer {
  readonly flow: Flow;
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(flow: Flow, url: string, child: ChildProcess) {
    this.flow = flow;
    this.url = url;
    this.#child = child;
    child.on('message', (message: ServerMessage) => {
      if (message.type !== 'reply') return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(`${this.flow} server: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`${this.flow} server exited (${signal ?? code})`));
      this.#pending.clear();
    });
  }

  static async start({ flow, env, cpuProfileDir }: ServerStart): Promise<BenchServer> {
    const execArgv = [
      '--expose-gc',
      // As `npm start` runs Rekey (docs/operations/production.md, "Memory").
      '--max-semi-space-size=16',
      ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${flow}-server.cpuprofile`] : []),
    ];
    const child = fork(SERVER_SCRIPT, [], { env: { ...env, REKEY_BENCH_FLOW: flow }, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    forwardLines(child.stdout, `[${flow} server] `);
    forwardLines(child.stderr, `[${flow} server] `);

    const ready = new Promise<{ url: string; flow: Flow }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The ${flow} server did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: ServerMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The ${flow} server exited before it was ready (${signal ?? `exit code ${code}`})`));
      });
    });
    try {
      const { url, flow: running } = await ready;
      if (running !== flow) throw new Error(`Asked for the ${flow} flow, but the server runs the ${running} flow`);
      return new BenchServer(flow, url, child);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  request<K extends CommandName>(command: K, args: Commands[K]['args']): Promise<Commands[K]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: (result) => resolve(result as Commands[K]['result']), reject });
      this.#child.send({ id, command, args }, (error) => {
        if (error) {
          this.#pending.delete(id);
          reject(error);
        }
      });
    });
  }

  /** Asks the server to close (so a CPU profile is written), killing it if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await this.request('stop', {}).catch(() => this.#child.kill('SIGKILL'));
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function forwardLines(stream: Readable | null, prefix: string): void {
  if (stream === null) return;
  createInterface({ input: stream }).on('line', (line) => process.stderr.write(`${prefix}${line}\n`));
}
