import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { REST } from 'discord.js';
import { createApp } from '../../api/app';
import { addGrant, removeGrant } from '../../activities/grants';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { requestTaskMessageSync, sendDecision } from '../../lib/flows/tasks.client';
import { answer, balanceOf, clickClaim, createTaskRow, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, type TasksEnv } from '../tasks/helpers';

/**
 * The Review tasks grant through the production router and API, the claim's update validator and the reviewer
 * confirmation (activities/tasks/reviewer.ts) before paying: a plain member is refused, granted (directly
 * or through a role) their Accept pays the reward, and once the grant is removed they are refused again —
 * also when the decision reaches the workflow without the bot, where nothing is paid.
 */
let env: TasksEnv;
let rest: REST | null = null;
let server: Server | undefined;
let api: string;
beforeAll(async () => {
  env = await startTasksEnv();
  await env.startWorker();
  rest = createDiscordRest({ DISCORD_TOKEN: env.discord.token, DISCORD_API_URL: env.discord.restUrl });
  const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, guildDirectory: createGuildDirectory(rest!) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.guildId}/tasks`;
});
afterAll(async () => {
  if (server) await new Promise((r) => server!.close(r));
  if (rest) closeDiscordRest(rest);
  await env?.close();
});

const ADMIN = { actorType: 'user', actorId: 'discord:test-admin' } as const;
const REFUSED = 'Only a server admin or a member with the Review tasks grant can review tasks (you are user).';

/** A posted task, claimed by a new member whose proof waits for review. */
async function submitted(reward: bigint) {
  const row = await createTaskRow(env, { reward });
  await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
  const task = await postedTask(env, row.id);
  const member = newMember(env, 'claimant');
  expect(await answer(clickClaim(env, task, member))).toContain('You claimed');
  expect(await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${row.id}`, proof: 'done' }, { subcommand: 'submit' }))).toContain('sent to the reviewers');
  await waitForClaim(env, row.id, member, 'submitted');
  return { taskId: row.id, member, review: await reviewPost(env, row.id, member) };
}
const accept = (c: Awaited<ReturnType<typeof submitted>>, reviewer: string) => answer(env.discord.clickButton(c.review, `gf:task-accept:${c.taskId}.${c.member}`, reviewer));

it('a member granted Review tasks accepts and the reward is paid; after removal the next click is refused', async () => {
  const reviewer = newMember(env, 'reviewer');
  const first = await submitted(25n);
  expect(await accept(first, reviewer)).toBe(REFUSED);
  expect((await waitForClaim(env, first.taskId, first.member, 'submitted')).decidedBy).toBeNull();

  const grant = { permission: 'review_tasks', subjectType: 'user', subjectId: reviewer } as const;
  await addGrant(env.prisma, env.guildId, grant, ADMIN);
  expect(await accept(first, reviewer)).toContain('Accepted');
  expect((await waitForClaim(env, first.taskId, first.member, 'completed')).decidedBy).toBe(reviewer);
  expect(await balanceOf(env, first.member)).toBe(25n);

  await removeGrant(env.prisma, env.guildId, grant, ADMIN);
  const second = await submitted(25n);
  expect(await accept(second, reviewer)).toBe(REFUSED);
  expect(await balanceOf(env, second.member)).toBe(0n);
});

it('a grant to a role the member has works the same way, and stops with the grant', async () => {
  const reviewers = env.discord.createRole(env.guildId, { name: 'Reviewers' });
  const reviewer = env.discord.createUser({ username: 'role-reviewer' }).id;
  env.discord.addMember(env.guildId, reviewer, { roles: [reviewers.id] });
  const grant = { permission: 'review_tasks', subjectType: 'role', subjectId: reviewers.id } as const;
  await addGrant(env.prisma, env.guildId, grant, ADMIN);
  const first = await submitted(10n);
  expect(await accept(first, reviewer)).toContain('Accepted');
  await waitForClaim(env, first.taskId, first.member, 'completed');
  expect(await balanceOf(env, first.member)).toBe(10n);

  await removeGrant(env.prisma, env.guildId, grant, ADMIN);
  const second = await submitted(10n);
  expect(await accept(second, reviewer)).toBe(REFUSED);
  expect(await balanceOf(env, second.member)).toBe(0n);
});

it('a decision claiming the grant reaches the workflow after it was removed: the reviewer check refuses, nothing is paid', async () => {
  const reviewer = newMember(env, 'former-reviewer');
  const c = await submitted(40n);
  // Without the bot (a stale caller, the Temporal CLI): the validator takes the grant as the sender found it…
  const result = await sendDecision(env.temporal.client, c.taskId, c.member, { guildId: env.guildId, decision: 'accept', reviewerId: reviewer, reviewerLevel: 'user', reviewerGrants: ['review_tasks'] });
  // …and the activity that looks the reviewer up before paying finds no grant.
  expect(result).toMatchObject({ ok: false, message: 'Only a server admin or a member with the Review tasks grant can review proofs: nothing was awarded.' });
  expect((await waitForClaim(env, c.taskId, c.member, 'submitted')).decidedBy).toBeNull();
  expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${c.taskId}:${c.member}:` } } })).toBe(0);
  expect(await balanceOf(env, c.member)).toBe(0n);
});

it("a person's user token reviews through the API while the person holds Review tasks", async () => {
  const reviewer = newMember(env, 'api-reviewer');
  const token = (await createApiToken(env.prisma, { guildId: env.guildId, name: 'mine', level: 'user', createdBy: `discord:${reviewer}`, creatorLevel: 'user' })).token;
  const review = async (c: { taskId: number; member: string }) => {
    const res = await fetch(`${api}/${c.taskId}/claims/${c.member}/review`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'accept' }) });
    return { status: res.status, body: (await res.json()) as { ok?: boolean; message?: string } };
  };
  const first = await submitted(15n);
  expect((await review(first)).status).toBe(403);

  const grant = { permission: 'review_tasks', subjectType: 'user', subjectId: reviewer } as const;
  await addGrant(env.prisma, env.guildId, grant, ADMIN);
  expect(await review(first)).toMatchObject({ status: 200, body: { ok: true } });
  expect((await waitForClaim(env, first.taskId, first.member, 'completed')).decidedBy).toBe(reviewer);
  expect(await balanceOf(env, first.member)).toBe(15n);

  await removeGrant(env.prisma, env.guildId, grant, ADMIN);
  const second = await submitted(15n);
  expect((await review(second)).status).toBe(403);
  expect(await balanceOf(env, second.member)).toBe(0n);
});
