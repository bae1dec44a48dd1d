import { LimiterUnavailableError, type AttemptLimiter, type LimitedAction, type LimitSubject, type Verdict } from './attempt-limiter.ts';

export type LimitDecision = 'allowed' | 'limited' | 'unavailable';

/** Reports every decision of `limiter` (for the rate-limit metric) and otherwise behaves exactly like it. */
export function observedLimiter(limiter: AttemptLimiter, onDecision: (action: LimitedAction, decision: LimitDecision) => void): AttemptLimiter {
  return {
    async consume(action: LimitedAction, subjects: LimitSubject[]): Promise<Verdict> {
      try {
        const verdict = await limiter.consume(action, subjects);
        onDecision(action, verdict.limited ? 'limited' : 'allowed');
        return verdict;
      } catch (error) {
        if (error instanceof LimiterUnavailableError) onDecision(action, 'unavailable');
        throw error;
      }
    },
    forget: (subjects) => limiter.forget(subjects),
    close: () => limiter.close(),
  };
}
