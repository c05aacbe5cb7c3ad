import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import type { Config, WorkerSettings } from '../lib/config';

export type WorkerConfig = Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'WORKFLOW_BUNDLE_PATH'> & WorkerSettings;

/** The SDK's options for the configured slots, pollers, cache and sticky timeout. */
function workerOptionsFrom(settings: WorkerSettings) {
  return {
    maxCachedWorkflows: settings.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: settings.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: settings.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: settings.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    // The poller behaviours, not maxConcurrent*TaskPolls: SDK 1.24 no longer reads those.
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: settings.WORKER_WORKFLOW_TASK_POLLERS },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: settings.WORKER_ACTIVITY_TASK_POLLERS },
    stickyQueueScheduleToStartTimeout: settings.WORKER_STICKY_QUEUE_TIMEOUT_MS,
  } satisfies Partial<WorkerOptions>;
}

/**
 * The Guildflow worker: every workflow and activity on one task queue. Production passes a prebuilt
 * bundle (`npm run build:workflows`) so start-up does not compile workflow code.
 */
export async function createGuildflowWorker(
  connection: NativeConnection,
  config: WorkerConfig,
  deps: ActivityDeps,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  const workflows = config.WORKFLOW_BUNDLE_PATH
    ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(deps),
    ...workerOptionsFrom(config),
    ...workflows,
    ...overrides,
  });
}
