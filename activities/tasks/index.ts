/**
 * Tasks (issue 8): admins post tasks, members claim them through the workflow `task:{taskId}:{user}`
 * (claim → proof → review → award), reviewers accept or reject, awards can be revoked.
 */
export * from './errors';
export * from './tasks';
export * from './claims';
export * from './message';
export { createTaskActivities, type TaskActivities, type ClaimView, type ClaimActivityResult } from './activities';
