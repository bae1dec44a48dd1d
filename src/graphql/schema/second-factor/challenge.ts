import type { SecondFactorChallenge } from '../../../identity/account-service.ts';
import { builder } from '../../builder.ts';

/**
 * signIn's answer when the account has TOTP on. The result union is built by
 * the errors plugin from the field's type and its listed classes, so this
 * member (not an error) travels the same way: the resolver throws it and
 * the plugin answers it as data.
 */
export class SecondFactorChallengeAnswer extends Error {
  override name = 'SecondFactorChallengeAnswer';
  readonly challenge: SecondFactorChallenge;

  constructor(challenge: SecondFactorChallenge) {
    // An expected answer: no stack to capture (see DomainError).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('A second factor is required to complete this sign-in.');
    Error.stackTraceLimit = limit;
    this.challenge = challenge;
  }
}

builder.objectType(SecondFactorChallengeAnswer, {
  name: 'SecondFactorChallenge',
  description: 'The password was right and the account has TOTP on: send `challengeToken` with a code to `verifySecondFactor`.',
  fields: (t) => ({
    challengeToken: t.string({ description: 'Single use, bound to this account.', resolve: (answer) => answer.challenge.challengeToken }),
    expiresAt: t.field({ type: 'DateTime', resolve: (answer) => answer.challenge.expiresAt }),
  }),
});
