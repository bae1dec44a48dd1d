import type { Path } from './loads.ts';

/** The paths of the side-by-side comparison (the rows of issue 35's table). */
export const PATH_NAMES = ['session', 'forged', 'changeSuccess', 'changeWrong', 'signInWrong', 'signInUnknown'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export const PATH_LABELS: Record<PathName, string> = {
  session: 'session check (`me` vs `get-session`)',
  forged: 'forged credential rejected',
  changeSuccess: 'change password, success',
  changeWrong: 'change password, wrong current password',
  signInWrong: 'sign-in, wrong password',
  signInUnknown: 'sign-in, unknown email',
};

/** One server measured in the comparison: its process and the paths it answers. */
export interface Contender {
  name: string;
  pid: number | undefined;
  paths: Partial<Record<PathName, Path>>;
  stop(): Promise<void>;
}

export const SEED_PASSWORD = 'Seeded-Passw0rd!-for-bench';
export const WRONG_PASSWORD = 'Wrong-Passw0rd!-for-bench';

let passwordSerial = 0;
/** A password no account had, within both servers' policies. */
export function freshPassword(): string {
  passwordSerial += 1;
  return `Rotate-${passwordSerial}-Passw0rd!-quite-long`;
}

let emailSerial = 0;
export function unknownEmail(): string {
  emailSerial += 1;
  return `nobody-peer-${process.pid}-${emailSerial}@bench.test`;
}

/** Taken in turn by one closed loop: loop i owns items i, i + loops, i + 2 loops, … */
export function perLoop<T>(items: T[], loops: number): (loop: number) => T {
  const turns = new Array<number>(loops).fill(0);
  return (loop) => {
    const owned = Math.max(1, Math.floor((items.length - loop - 1) / loops) + 1);
    const turn = turns[loop] ?? 0;
    turns[loop] = turn + 1;
    const item = items[loop + (turn % owned) * loops];
    if (item === undefined) throw new Error(`No item for loop ${loop}`);
    return item;
  };
}
