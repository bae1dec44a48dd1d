import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setPriority } from 'node:os';

/** What Node names the threads of libuv's pool in /proc (where native bcrypt, fs and dns work run). */
const POOL_THREAD_NAME = 'libuv-worker';

function poolThreadIds(): number[] {
  const ids: number[] = [];
  for (const entry of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${entry}/comm`, 'utf8').trim() === POOL_THREAD_NAME) ids.push(Number(entry));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ids;
}

/**
 * Lowers the scheduling priority of libuv's pool threads (Linux): bcrypt
 * saturates them by design, and at equal priority they take the cores from
 * the event loop, so every cheap request waits behind password hashing. Niced,
 * they still get every cycle the loop leaves (password throughput does not
 * change) while the loop runs as soon as it has work. Raising niceness needs
 * no privilege. Returns how many threads were reniced (0 elsewhere, or with nice 0).
 */
export async function lowerPoolThreadPriority(nice: number): Promise<number> {
  if (nice === 0 || process.platform !== 'linux') return 0;
  // libuv starts all its pool threads with the first job it is given.
  await stat('.');
  const ids = poolThreadIds();
  for (const id of ids) {
    try {
      // On Linux, setpriority on a thread id applies to that thread only.
      setPriority(id, nice);
    } catch {
      return 0;
    }
  }
  return ids.length;
}
