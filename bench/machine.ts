import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  os: string;
  memoryGiB: number;
  /** libuv pool of the servers, where bcrypt runs. */
  threadpoolSize: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    const model = line?.split(':')[1]?.trim();
    if (model) return model;
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function describeMachine(threadpoolSize: number): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    threadpoolSize,
  };
}
