import type { Redis } from 'ioredis';
import { ConfigError, type Config } from '../config/config.ts';
import type { Secret } from '../secrets/secret.ts';
import { DeviceTokenSigner } from '../devices/device-token-signer.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { AccountDeps } from '../identity/account-service.ts';
import type { EmailAddressDeps } from '../email/email-address-deps.ts';
import { WindowAttemptLimiter, type AttemptLimiter } from '../limits/attempt-limiter.ts';
import { observedLimiter } from '../limits/observed-limiter.ts';
import { keyedSubjects } from '../limits/window-stores.ts';
import type { AppLogger } from '../observability/logging.ts';
import type { Metrics } from '../observability/metrics.ts';
import { BreachedCorpusError, openBreachedPasswords, type BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import { PasswordHistory } from '../passwords/history/password-history.ts';
import { PasswordPolicy } from '../passwords/password-policy.ts';
import { LegacyTokens } from '../sessions/legacy-tokens.ts';
import { SessionTokens } from '../access-tokens/session-tokens.ts';
import type { TokenKeys } from '../access-tokens/token-keys.ts';
import { SecretBox } from '../second-factor/secret-box.ts';
import type { SecondFactorSettings } from '../second-factor/second-factor-settings.ts';

/** Everything that decides whether a new password is acceptable and how it is stored: the server and the admin CLI share it. */
export interface PasswordServices {
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  breached: BreachedPasswords;
  history: PasswordHistory;
}

export type PasswordConfig = Pick<Config, 'bcryptCost' | 'firebaseScrypt' | 'passwordPolicy' | 'passwordHistory' | 'breachedPasswords'>;

/**
 * Opens the breached-password corpus (a file that cannot be used is a
 * configuration error) and builds the policy, hasher and history on it.
 * The caller closes `breached`.
 */
export async function openPasswordServices(config: PasswordConfig, log: AppLogger): Promise<PasswordServices> {
  const breached = await openBreachedPasswords(config.breachedPasswords, log).catch((error: unknown) => {
    throw error instanceof BreachedCorpusError ? new ConfigError(`Invalid configuration: BREACHED_PASSWORDS ${error.message}`) : error;
  });
  const hasher = new PasswordHasher(config.bcryptCost, { firebase: config.firebaseScrypt });
  return {
    hasher,
    policy: new PasswordPolicy(config.passwordPolicy, { rejectBreached: breached.enabled, history: config.passwordHistory }),
    breached,
    history: new PasswordHistory(config.passwordHistory, hasher),
  };
}

/** The limiter shared through Redis: keys by a keyed hash of each subject, the same on every instance and in the admin CLI. */
export function sharedLimiter(config: Pick<Config, 'limits' | 'redisKeyPrefix'>, redis: Redis, secret: Secret): WindowAttemptLimiter {
  return WindowAttemptLimiter.redis(config.limits, redis, keyedSubjects(secret), config.redisKeyPrefix);
}

/** The attempt limiter: shared through Redis when there is one, else this process's own; every decision is counted. */
export function createLimiter(config: Pick<Config, 'limits' | 'redisKeyPrefix'>, redis: Redis | null, metrics: Metrics, secret: Secret): AttemptLimiter {
  const limiter = redis ? sharedLimiter(config, redis, secret) : WindowAttemptLimiter.inMemory(config.limits);
  return observedLimiter(limiter, (action, decision) => metrics.countRateLimitDecision(action, decision));
}

export type AccountConfig = Pick<
  Config,
  'jwtTtlSeconds' | 'jwtIssuer' | 'jwtAudience' | 'lockout' | 'sessions' | 'legacyJwtSecret' | 'legacyJwtMaxAgeMs' | 'notifications' | 'secondFactor'
>;

export interface AccountParts {
  passwords: PasswordServices;
  /** SERVER_SECRET: keys the device tokens. */
  secret: Secret;
  tokenKeys: TokenKeys;
  limiter: AttemptLimiter;
  events: SecurityEvents;
}

/** What the account, session and recovery services run on. */
export function composeAccountDeps(config: AccountConfig, { passwords, secret, tokenKeys, limiter, events }: AccountParts): AccountDeps {
  return {
    ...passwords,
    tokens: new SessionTokens({ keys: tokenKeys, ttlSeconds: config.jwtTtlSeconds, issuer: config.jwtIssuer, audience: config.jwtAudience }),
    limiter,
    lockout: config.lockout,
    events,
    sessions: config.sessions,
    legacyTokens: config.legacyJwtSecret ? new LegacyTokens(config.legacyJwtSecret, { maxAgeMs: config.legacyJwtMaxAgeMs }) : null,
    deviceTokens: new DeviceTokenSigner(secret),
    emailAddress: emailAddressDeps(config.notifications),
    secondFactor: secondFactorSettings(config.secondFactor, secret),
  };
}

/** EMAIL_VERIFICATION and which of the address's links can be sent. */
export function emailAddressDeps(notifications: Config['notifications']): EmailAddressDeps {
  return {
    ...notifications.emailAddress,
    sendsVerification: notifications.email?.emailVerificationUrl != null,
    sendsChangeLinks: notifications.email?.emailChangeUrl != null,
  };
}

/**
 * TOTP_ENCRYPTION_KEY, or else the server secret (startup-warnings.ts
 * warns in production); SecretBox derives its own keys from either.
 */
export function secondFactorSettings(config: Config['secondFactor'], signingSecret: Secret): SecondFactorSettings {
  return { box: new SecretBox(config.encryptionKey ?? signingSecret), issuer: config.issuer, challengeTtlMs: config.challengeTtlMs };
}
