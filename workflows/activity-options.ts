import type { ActivityOptions } from '@temporalio/workflow';

/**
 * How hard each kind of step is tried, the same in every flow. `nonRetryableErrorTypes` are the flow's
 * typed refusals (ApplicationFailure types): retrying them cannot help.
 * - `db`: database steps, retried through short outages;
 * - `discord`: Discord calls, a few retries for 5xx/429, then the step counts as failed (and is compensated);
 * - `quick`: one attempt and two quick retries, for steps a flow repeats on its own (status polls,
 *   delivery attempts, Roblox lookups);
 * - `mustHappen`: compensations and the steps after money moved: retried until they succeed.
 */
export function activityProfiles(refusals: readonly string[]) {
  const nonRetryableErrorTypes = [...refusals];
  return {
    db: {
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes },
    },
    discord: {
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
    },
    quick: {
      startToCloseTimeout: '20 seconds',
      retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 3, nonRetryableErrorTypes },
    },
    mustHappen: {
      startToCloseTimeout: '30 seconds',
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes },
    },
  } satisfies Record<string, ActivityOptions>;
}
