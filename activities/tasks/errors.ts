import { RefusalError } from '../../lib/errors';
import { TASK_FAILURES } from '../../lib/flows/tasks';

/**
 * The task system's business refusals. Each has a stable `code` (API bodies, bot replies), an HTTP status
 * and a `failureType` from TASK_FAILURES, the ApplicationFailure type activities raise (non-retryable).
 * Messages are written for the member or admin who reads them.
 */
class TaskError extends RefusalError {}

export const taskNotFound = (ref: string | number) =>
  new TaskError('task_not_found', TASK_FAILURES.taskNotFound, `There is no task ${JSON.stringify(String(ref))} in this server.`, 404);
export const claimNotFound = (id: string) => new TaskError('claim_not_found', TASK_FAILURES.claimNotFound, `There is no claim ${id}.`, 404);
export const claimState = (id: string, status: string, wanted: string) =>
  new TaskError('claim_state', TASK_FAILURES.claimState, `Claim ${id} is ${status}; it cannot be ${wanted}.`);
export const taskState = (message: string) => new TaskError('task_state', TASK_FAILURES.taskState, message);
