import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/**
 * What decides whether an announcement can still be posted, read from Temporal instead of waiting a while
 * and looking at the channel: its message is posted only through `announcementSend`, which hands it to
 * `sync:announcement:{id}`.
 */

/** How many times the announcement's flow called `announcementSend` (0 for a flow that never ran). */
export async function sendsOf(client: Client, announcementId: string): Promise<number> {
  const history = await client.workflow
    .getHandle(`announcement:${announcementId}`)
    .fetchHistory()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return { events: [] };
      throw err;
    });
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'announcementSend').length;
}

/** Whether a workflow with this id exists on this task queue (ids may repeat on other files' task queues). */
export async function flowExists(client: Client, workflowId: string, taskQueue: string): Promise<boolean> {
  const described = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
  return described?.taskQueue === taskQueue;
}

/** The send time of the flow's first timer: when the workflow started it plus its duration (ms since the epoch). */
export async function firstTimerDueAt(client: Client, workflowId: string): Promise<number | null> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
  const timer = events.findIndex((e) => e.timerStartedEventAttributes);
  if (timer < 0) return null;
  // Workflow time is the start of the workflow task that started the timer.
  const task = events.slice(0, timer).reverse().find((e) => e.workflowTaskStartedEventAttributes);
  return ms(task?.eventTime) + ms(events[timer]!.timerStartedEventAttributes!.startToFireTimeout);
}
