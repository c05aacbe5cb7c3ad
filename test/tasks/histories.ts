import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { answer, clickClaim, createTaskRow, newMember, postedTask, reviewPost, waitForClaim, workflowStatus, type TasksEnv } from './helpers';

/**
 * Records real histories of the task claim workflow into test/histories/task-*.json, for the replay test
 * (replay.test.ts), which proves the current workflow code still replays them. Each scenario runs the real
 * workflow, driven by clicks through the fake Discord and the bot's router:
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/tasks/replay.test.ts
 */
async function postTask(env: TasksEnv, data: Parameters<typeof createTaskRow>[1]) {
  const row = await createTaskRow(env, data);
  await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
  return postedTask(env, row.id);
}
const submit = (env: TasksEnv, taskId: number, userId: string, proof: string) =>
  answer(env.discord.slash(env.guildId, userId, 'task', { task: `#${taskId}`, proof }, { subcommand: 'submit' }));
async function accept(env: TasksEnv, taskId: number, userId: string, submissions = 1) {
  const review = await reviewPost(env, taskId, userId, submissions);
  return answer(env.discord.clickButton(review, `gf:task-accept:${taskId}.${userId}`, env.demo.admin.id));
}
async function withModal(env: TasksEnv, action: 'reject' | 'revoke', taskId: number, userId: string, reason: string) {
  const claim = (await env.prisma.taskClaim.findUniqueOrThrow({ where: { taskId_userId: { taskId, userId } } }))!;
  const click = env.discord.clickButton(env.discord.message(claim.reviewMessageId!)!, `gf:task-${action}:${taskId}.${userId}`, env.demo.admin.id);
  await click.waitForResponse();
  return answer(env.discord.submitModal(click, click.modal()!.customId, env.demo.admin.id, { reason }));
}

export const SCENARIOS: Scenarios<TasksEnv> = {
  /** claim → proof → accept with a role → completed (no revoke window). */
  'task-accepted': async (env) => {
    const role = env.discord.createRole(env.guildId, { name: 'History helper' });
    const task = await postTask(env, { name: 'History: accepted', reward: 50n, roleId: role.id });
    const user = newMember(env, 'history-accepted');
    await answer(clickClaim(env, task, user));
    await submit(env, task.id, user, 'done');
    await accept(env, task.id, user);
    return `task:${task.id}:${user}`;
  },
  /** reject with a reason → resubmit → accept. */
  'task-reject-resubmit-accept': async (env) => {
    const task = await postTask(env, { name: 'History: resubmitted', reward: 20n });
    const user = newMember(env, 'history-resubmit');
    await answer(clickClaim(env, task, user));
    await submit(env, task.id, user, 'first try');
    await reviewPost(env, task.id, user);
    await withModal(env, 'reject', task.id, user, 'Not enough');
    await waitForClaim(env, task.id, user, 'claimed');
    await submit(env, task.id, user, 'second try');
    await accept(env, task.id, user, 2);
    return `task:${task.id}:${user}`;
  },
  /** the deadline passes without proof → expired, slot freed. */
  'task-expired': async (env) => {
    const task = await postTask(env, { name: 'History: expired', reward: 5n, claimDurationSeconds: 1 });
    const user = newMember(env, 'history-expired');
    await answer(clickClaim(env, task, user));
    await waitForClaim(env, task.id, user, 'expired');
    return `task:${task.id}:${user}`;
  },
  /** the ledger refuses the award (unknown asset) → role taken back, back to submitted → rejected → abandoned. */
  'task-award-failed': async (env) => {
    const role = env.discord.createRole(env.guildId, { name: 'History unpaid' });
    const task = await postTask(env, { name: 'History: award failed', reward: 5n, roleId: role.id, assetCode: 'nosuchasset' });
    const user = newMember(env, 'history-unpaid');
    await answer(clickClaim(env, task, user));
    await submit(env, task.id, user, 'done');
    await accept(env, task.id, user);
    await withModal(env, 'reject', task.id, user, 'Misconfigured');
    await waitForClaim(env, task.id, user, 'claimed');
    await answer(env.discord.slash(env.guildId, user, 'task', { task: `#${task.id}` }, { subcommand: 'abandon' }));
    return `task:${task.id}:${user}`;
  },
  /** accepted, then revoked inside the revoke window (reversal entry, role removed). */
  'task-revoked': async (env) => {
    await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 600 } });
    try {
      const role = env.discord.createRole(env.guildId, { name: 'History revoked' });
      const task = await postTask(env, { name: 'History: revoked', reward: 30n, roleId: role.id });
      const user = newMember(env, 'history-revoked');
      await answer(clickClaim(env, task, user));
      await submit(env, task.id, user, 'done');
      await accept(env, task.id, user);
      await waitForClaim(env, task.id, user, 'completed');
      await withModal(env, 'revoke', task.id, user, 'Copied');
      return `task:${task.id}:${user}`;
    } finally {
      await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 0 } });
    }
  },
  /** the task is deleted while the claim is open → cancelled, member told. */
  'task-cancelled': async (env) => {
    const task = await postTask(env, { name: 'History: cancelled', reward: 5n });
    const user = newMember(env, 'history-cancelled');
    await answer(clickClaim(env, task, user));
    await answer(env.discord.slash(env.guildId, env.demo.admin.id, 'task-admin', { task: `#${task.id}` }, { subcommand: 'delete' }));
    return `task:${task.id}:${user}`;
  },
  /** The task's post: posted, changed by an edit meanwhile (signal), redrawn at the task's end date, then done. */
  'task-message': async (env) => {
    const row = await createTaskRow(env, { name: 'History: post', reward: 1n, expiresAt: new Date(Date.now() + 2000) });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
    await postedTask(env, row.id);
    await env.prisma.task.update({ where: { id: row.id }, data: { description: 'Edited while it waits.' } });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
    return `task-message:${env.guildId}:${row.id}`;
  },
  /** The bot may no longer post in the task channel: the admin log is told, the flow ends (completed). */
  'task-message-refused': async (env) => {
    env.discord.denyPermission({ channelId: env.demo.channels.tasks.id, method: 'POST' });
    try {
      const row = await createTaskRow(env, { name: 'History: refused post', reward: 1n });
      await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
      const workflowId = `task-message:${env.guildId}:${row.id}`;
      await workflowStatus(env, workflowId, 'COMPLETED');
      return workflowId;
    } finally {
      env.discord.clearFaults();
    }
  },
};

export function recordTaskHistories(env: TasksEnv, suffix = ''): Promise<string[]> {
  // A claim's history is kept once its flow has completed.
  const completed: Scenarios<TasksEnv> = {};
  for (const [name, run] of Object.entries(SCENARIOS)) {
    completed[name] = async (e) => {
      const workflowId = await run(e);
      await workflowStatus(e, workflowId, 'COMPLETED');
      return workflowId;
    };
  }
  return recordHistories(env, completed, suffix);
}
