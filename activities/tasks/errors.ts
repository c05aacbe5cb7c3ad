import { RefusalError } from '../../lib/errors';

/**
 * The task system's business refusals. Each has a stable `code` (API bodies, bot replies), an HTTP status
 * and a `failureType`, the ApplicationFailure type activities raise (non-retryable). Messages are written
 * for the member or admin who reads them.
 */
export class TaskError extends RefusalError {}

export const TASK_FAILURE_TYPES = {
  taskNotFound: 'TaskNotFound',
  claimNotFound: 'ClaimNotFound',
  claimState: 'ClaimState',
  taskState: 'TaskState',
} as const;

export const NON_RETRYABLE_TASK_FAILURES: string[] = Object.values(TASK_FAILURE_TYPES);

export const taskNotFound = (ref: string | number) =>
  new TaskError('task_not_found', TASK_FAILURE_TYPES.taskNotFound, `There is no task ${JSON.stringify(String(ref))} in this server.`, 404);
export const claimNotFound = (id: string) => new TaskError('claim_not_found', TASK_FAILURE_TYPES.claimNotFound, `There is no claim ${id}.`, 404);
export const claimState = (id: string, status: string, wanted: string) =>
  new TaskError('claim_state', TASK_FAILURE_TYPES.claimState, `Claim ${id} is ${status}; it cannot be ${wanted}.`);
export const taskState = (message: string) => new TaskError('task_state', TASK_FAILURE_TYPES.taskState, message);
