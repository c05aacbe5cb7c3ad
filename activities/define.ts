import { ApplicationFailure } from '@temporalio/common';
import { NotFoundError, RefusalError, ValidationError } from '../lib/errors';
import type { Logger } from '../lib/logger';

/**
 * The one way a feature turns its functions into Temporal activities. A business refusal (a
 * RefusalError: out of stock, a claim already decided…) and bad input become non-retryable
 * ApplicationFailures typed as the feature's failure list says, since a retry cannot change the answer;
 * anything else (the database away, a timeout) is thrown as is, for Temporal to retry.
 */

// Activities take and return plain data; `any` lets each keep its own precise signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ActivityFunction = (...args: any[]) => Promise<unknown>;

/** The ApplicationFailure a refusal becomes, or the error itself when a retry may help. */
function asActivityFailure(err: unknown): unknown {
  if (err instanceof RefusalError) return ApplicationFailure.nonRetryable(err.message, err.failureType, err.details ?? null);
  if (err instanceof ValidationError) return ApplicationFailure.nonRetryable(err.message, 'InvalidInput', err.details ?? null);
  if (err instanceof NotFoundError) return ApplicationFailure.nonRetryable(err.message, 'NotFound');
  return err;
}

export function defineActivities<T extends Record<string, ActivityFunction>>(log: Logger, component: string, activities: T): T {
  const alog = log.child({ component });
  const wrapped: Record<string, ActivityFunction> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        const result = await fn(...args);
        alog.debug({ activity: name }, 'activity done');
        return result;
      } catch (err) {
        const failure = asActivityFailure(err);
        if (failure !== err) alog.info({ activity: name, type: (failure as ApplicationFailure).type }, (err as Error).message);
        throw failure;
      }
    };
  }
  return wrapped as T;
}
