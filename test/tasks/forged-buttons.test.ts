import { REST, Routes } from 'discord.js';
import { ButtonStyle, ComponentType } from 'discord-api-types/v10';
import { closeDiscordRest } from '../../lib/discord/rest';
import { sendDecision, requestTaskMessageSync } from '../../lib/flows/tasks.client';
import type { MessageRecord } from '../fakes/discord';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { answer, clickClaim, createTaskRow, postedTask, startTasksEnv, waitForClaim, type RunningTestWorker, type TasksEnv } from './helpers';

/**
 * Review buttons carry `task:{taskId}.{userId}`, and task ids are global: a button naming another server's
 * claim, clicked by an admin of this server, must be refused (by the bot, and by the claim's own
 * validator) and change nothing there — no decision, no reward.
 */
let env: TasksEnv;
let worker: RunningTestWorker;
let guildB: DemoGuild;
let rest: REST;
beforeAll(async () => {
  env = await startTasksEnv();
  worker = await env.startWorker();
  guildB = seedDemoGuild(env.discord, 'Guild B');
  const reviewB = env.discord.createChannel(guildB.guild.id, { name: 'task-review', type: 0 }).id;
  await env.prisma.guild.create({
    data: {
      id: guildB.guild.id,
      name: 'Guild B',
      ownerId: guildB.owner.id,
      settings: { create: { adminRoleIds: [guildB.roles.admin.id] } },
      taskSettings: { create: { taskChannelId: guildB.channels.tasks.id, reviewChannelId: reviewB, revokeWindowSeconds: 0 } },
    },
  });
  rest = new REST({ api: env.discord.restUrl, retries: 0 }).setToken(env.discord.token);
});
afterAll(async () => {
  if (rest) closeDiscordRest(rest);
  await worker?.stop();
  await env?.close();
});

/** A claim of a guild B task by a guild B member, its proof with B's reviewers. */
async function submittedClaimInB(): Promise<{ taskId: number; member: string }> {
  const b = { prisma: env.prisma, guildId: guildB.guild.id };
  const row = await createTaskRow(b, { reward: 500n });
  await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, b.guildId, row.id);
  const task = await postedTask(env, row.id);
  const member = env.discord.createUser({ username: `b-member-${row.id}` }).id;
  env.discord.addMember(b.guildId, member);
  expect(await answer(clickClaim(env, task, member))).toContain('You claimed');
  expect(await answer(env.discord.slash(b.guildId, member, 'task', { task: `#${row.id}`, proof: 'done: https://example.com/b' }, { subcommand: 'submit' }))).toContain('Your proof was sent to the reviewers.');
  await waitForClaim(env, row.id, member, 'submitted');
  return { taskId: row.id, member };
}

/** A bot message in guild A carrying buttons with the given custom ids (how it got there does not matter). */
async function messageInA(customIds: string[]): Promise<MessageRecord> {
  const posted = (await rest.post(Routes.channelMessages(env.demo.channels.tasks.id), {
    body: { content: 'review', components: [{ type: ComponentType.ActionRow, components: customIds.map((id, i) => ({ type: ComponentType.Button, style: ButtonStyle.Primary, label: `b${i}`, custom_id: id })) }] },
  })) as { id: string };
  return env.discord.message(posted.id)!;
}

async function rewardEntries(taskId: number, member: string): Promise<number> {
  return env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${taskId}:${member}:` } } });
}

it("guild A's admin clicking Accept, Reject or Revoke for guild B's claim in guild A is refused, ephemerally, and nothing changes in B", async () => {
  const { taskId, member } = await submittedClaimInB();
  const key = `${taskId}.${member}`;
  const msg = await messageInA([`gf:task-accept:${key}`, `gf:task-reject:${key}`, `gf:task-revoke:${key}`]);
  for (const action of ['accept', 'reject', 'revoke']) {
    const click = env.discord.clickButton(msg, `gf:task-${action}:${key}`, env.demo.admin.id);
    const response = await click.waitForResponse();
    expect(response.ephemeral).toBe(true);
    expect(click.modal()).toBeUndefined();
    expect(await answer(click)).toContain('This button is not for a task of this server: nothing was changed.');
  }
  const claim = await waitForClaim(env, taskId, member, 'submitted');
  expect(claim.decidedBy).toBeNull();
  expect(await rewardEntries(taskId, member)).toBe(0);
});

it("the claim's workflow refuses a decision sent for another server, whatever the reviewer's level", async () => {
  const { taskId, member } = await submittedClaimInB();
  await expect(sendDecision(env.temporal.client, taskId, member, { guildId: env.guildId, decision: 'accept', reviewerId: env.demo.admin.id, reviewerLevel: 'owner' })).rejects.toThrow(
    'This claim belongs to another server: only its own reviewers decide it.',
  );
  expect((await waitForClaim(env, taskId, member, 'submitted')).decidedBy).toBeNull();
  expect(await rewardEntries(taskId, member)).toBe(0);
});
