import { Secret, TOTP } from 'otpauth';
import { ConfirmTotpEnrollmentDocument, StartTotpEnrollmentDocument } from '../generated/graphql.ts';
import { expectType, run } from './graphql.ts';

const STEP_MS = 30_000;

/** The code an authenticator app shows for `secret`, `steps` 30-second steps from now. */
export function totpCode(secret: string, steps = 0, now = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: now + steps * STEP_MS });
}

/**
 * Waits out the end of the current 30-second step when less than `marginMs`
 * of it is left: a code computed here must still be in the step the server
 * sees when it checks it. Time itself is what is awaited.
 */
export async function awaitFreshStep(marginMs = 4_000): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Turns TOTP on for a signed-in account, with the previous step's code, so that the current and next steps stay usable. */
export async function enrolTotp(url: string, account: { token: string; password: string }) {
  await awaitFreshStep();
  const { startTotpEnrollment } = await run(url, StartTotpEnrollmentDocument, { input: { currentPassword: account.password } }, { token: account.token });
  const { secret } = expectType(startTotpEnrollment, 'StartTotpEnrollmentSuccess');
  const { confirmTotpEnrollment } = await run(url, ConfirmTotpEnrollmentDocument, { input: { code: totpCode(secret, -1) } }, { token: account.token });
  const { recoveryCodes } = expectType(confirmTotpEnrollment, 'ConfirmTotpEnrollmentSuccess');
  return { secret, recoveryCodes };
}
