import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { createApiToken } from '../../lib/api-tokens';
import { startE2E, type E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';

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

/** The whole stack with the demo guild's admin role set and an admin API token: what the admin-side tests start from. */
export async function startAdminE2E(): Promise<{ e2e: E2E; guildId: string; admin: string; channel: string; token: string }> {
  const e2e = await startE2E();
  const guildId = e2e.demo.guild.id;
  await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
  const { token } = await createApiToken(e2e.prisma, { guildId, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' });
  return { e2e, guildId, admin: e2e.demo.admin.id, channel: e2e.demo.channels.general, token };
}

/** The buttons of a message, row by row. */
export const buttonsOf = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
