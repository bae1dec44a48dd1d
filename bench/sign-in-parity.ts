import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLClient } from './graphql-client.ts';

const SIGN_IN = 'mutation BenchSignIn($input: SignInInput!) { signIn(input: $input) { __typename } }';

export type SignInKind = 'wrongPassword' | 'unknownEmail';

export interface SignInLoad {
  kind: SignInKind;
  /** InvalidCredentialsError answers per second within the window. */
  perSecond: number;
  seconds: number;
  /** Answers other than InvalidCredentialsError (a rate limit, a block, an error): each is a problem. */
  wrong: number;
}

let serial = 0;
/** Distinct addresses from 172.16.0.0/12, one per attempt, so SIGN_IN_RATE_LIMIT's address rule never decides. */
function nextAddress(): string {
  serial += 1;
  return `172.${16 + ((serial >>> 16) & 15)}.${(serial >>> 8) & 255}.${serial & 255}`;
}

/**
 * Failed sign-ins as fast as the server answers them, `concurrency` at a
 * time: with a wrong password for the given accounts (taken in turn, so none
 * reaches its per-email limit or the lockout) or with emails nobody
 * registered. Both cost one bcrypt compare; the figure is their ratio.
 */
export async function driveSignIns(
  serverUrl: string,
  kind: SignInKind,
  settings: { emails: string[]; concurrency: number; warmupSeconds: number; seconds: number },
): Promise<SignInLoad> {
  const client = new GraphQLClient(serverUrl, settings.concurrency);
  const done: { sentAt: number; doneAt: number; ok: boolean }[] = [];
  let running = true;
  let turn = 0;
  const loop = async () => {
    while (running) {
      turn += 1;
      const email =
        kind === 'wrongPassword'
          ? (settings.emails[turn % settings.emails.length] ?? 'none@bench.test')
          : `nobody-${turn}-${serial}@bench.test`;
      const sentAt = performance.now();
      const { typename } = await client.typenameOf(
        {
          query: SIGN_IN,
          variables: { input: { email, password: 'Wrong-Passw0rd!-for-bench' } },
          headers: { 'x-forwarded-for': nextAddress() },
        },
        'signIn',
      );
      done.push({ sentAt, doneAt: performance.now(), ok: typename === 'InvalidCredentialsError' });
    }
  };
  try {
    const loops = Promise.all(Array.from({ length: settings.concurrency }, loop));
    loops.catch(() => undefined);
    await sleep(settings.warmupSeconds * 1000);
    const start = performance.now();
    await sleep(settings.seconds * 1000);
    const end = performance.now();
    running = false;
    await loops;
    // As in change-password-load.ts: each attempt counts for the part of its lifetime inside the window.
    let counted = 0;
    let wrong = 0;
    for (const { sentAt, doneAt, ok } of done) {
      const inside = Math.min(doneAt, end) - Math.max(sentAt, start);
      if (inside <= 0) continue;
      if (ok) counted += inside / Math.max(doneAt - sentAt, Number.EPSILON);
      else wrong += 1;
    }
    const seconds = (end - start) / 1000;
    return { kind, perSecond: counted / seconds, seconds, wrong };
  } finally {
    client.close();
  }
}
