import { z } from 'zod';
import { duration, secret } from '../parsers.ts';
import { defineGroup } from '../variable.ts';

export const secondFactor = defineGroup('Second factor', {
  TOTP_ENCRYPTION_KEY: {
    parse: secret,
    unset: 'derived from `SERVER_SECRET` (a warning at start in production)',
    description:
      "the key (at least 32 bytes) that encrypts TOTP secrets at rest (AES-256-GCM) and keys the recovery codes' hashes; set it in production, so that rotating `JWT_SECRET` leaves them readable. Changing it makes every enrolled authenticator and recovery code unusable",
  },
  TOTP_ISSUER: { parse: z.string().min(1).max(100), default: 'Rekey', description: 'the name authenticator apps show for the account' },
  SECOND_FACTOR_CHALLENGE_TTL: {
    parse: duration(30_000, 3_600_000),
    default: '5m',
    description: "how long a sign-in's `SecondFactorChallenge` can be redeemed with `verifySecondFactor`",
  },
});
