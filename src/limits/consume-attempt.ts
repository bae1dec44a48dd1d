import { LimiterUnavailableError, type AttemptLimiter, type LimitedAction, type LimitSubject } from './attempt-limiter.ts';
import { RateLimitedError } from '../errors/errors.ts';

/** Counts one attempt; throws RateLimitedError when over a limit, and fails closed when the limiter is unreachable. */
export async function consumeAttempt(limiter: AttemptLimiter, action: LimitedAction, subjects: LimitSubject[]): Promise<void> {
  try {
    const verdict = await limiter.consume(action, subjects);
    if (verdict.limited) throw new RateLimitedError(verdict.retryAfterSeconds);
  } catch (error) {
    if (error instanceof LimiterUnavailableError) {
      throw new RateLimitedError(5, 'Too many attempts cannot be counted right now. Try again in a few seconds.');
    }
    throw error;
  }
}
