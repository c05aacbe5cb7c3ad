/**
 * Tasks: admins post tasks, members claim them through the workflow `task:{taskId}:{user}` (claim → proof →
 * review → award), reviewers accept or reject, awards can be revoked. Its public face is lib/flows/tasks.ts.
 */
export * from './errors';
export * from './tasks';
export * from './claims';
export * from './message';
export { createTaskActivities } from './activities';
