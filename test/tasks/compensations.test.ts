import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { taskClaimFlow, taskClaimStatusQuery, type TaskClaimInput } from '../../lib/flows/tasks';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { waitFor } from '../../lib/wait';
import type { taskClaim } from '../../workflows/task';
import { expectWentThrough, lostAttempts, outage, SHORT_PATIENCE, waitUntilStuck, type Outage } from '../helpers/stuck-flows';
import { answer, balanceOf, buttonsOf, claimRow, clickClaim, createTaskRow, embedOf, hasRole, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, workflowStatus, type TasksEnv } from './helpers';

/**
 * The award's failure paths, each forced: the role cannot be given (above Guildflow's role) → nothing paid,
 * back to `submitted` with the reason for reviewers; the database away right after the money moved → the
 * claim's record is retried until it is written, the reward paid exactly once; the reward's own step away
 * for longer than the flow's patience → the claim is stuck (and says so) until it goes through, paid once.
 */
describe('task award compensations', () => {
  let env: TasksEnv;
  let guildId: string;
  let admin: string;
  /** taskComplete fails (retryably, as a database outage would) while this is > 0. */
  let completeFailures = 0;
  let completeAttempts = 0;
  /** The reward transfers of this claim lose their answers (after committing) until released. */
  let stuckClaimId: string | null = null;
  let rewardDown!: Outage<Parameters<Activities['ledgerTransfer']>, Awaited<ReturnType<Activities['ledgerTransfer']>>>;

  beforeAll(async () => {
    env = await startTasksEnv();
    guildId = env.guildId;
    admin = env.demo.admin.id;
    await env.startWorker({
      activities: (base) => ({
        ...base,
        ledgerTransfer: (rewardDown = outage(base.ledgerTransfer as Activities['ledgerTransfer'], {
          applies: (input) => stuckClaimId !== null && input.key.startsWith(`${stuckClaimId}:award:`),
          lostReply: true,
        })).activity,
        async taskComplete(input: unknown) {
          completeAttempts += 1;
          if (completeFailures > 0) {
            completeFailures -= 1;
            throw ApplicationFailure.retryable('connection terminated unexpectedly (forced by the test)', 'DatabaseDown');
          }
          return (base.taskComplete as (i: unknown) => Promise<unknown>)(input);
        },
      }),
    });
  });
  afterAll(() => env?.close());

  async function submitted(name: string, data: Partial<Parameters<typeof createTaskRow>[1]> & { reward: bigint }) {
    const row = await createTaskRow(env, { name, ...data });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, guildId, row.id);
    const task = await postedTask(env, row.id);
    const member = newMember(env, 'comp');
    expect(await answer(clickClaim(env, task, member))).toContain('You claimed');
    await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    return { task, member, review: await reviewPost(env, task.id, member) };
  }

  it('the role is above Guildflow’s: the award stops before any money moves, back to submitted with the reason', async () => {
    const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const role = env.discord.createRole(guildId, { name: 'Too high', position: botTop + 1 });
    const { task, member, review } = await submitted('Role too high', { reward: 25n, roleId: role.id });
    const text = await answer(env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, admin));
    expect(text).toContain('The award failed and nothing was paid');
    expect(text).toContain("is not below Guildflow's highest role: move Guildflow's role above it");
    const claim = await waitFor(async () => {
      const c = await claimRow(env, task.id, member);
      return c?.awardFailure ? c : undefined;
    }, { timeoutMs: 10_000, what: 'the failure to be recorded' });
    expect(claim).toMatchObject({ status: 'submitted', rewardPaid: null });
    expect(await balanceOf(env, member)).toBe(0n);
    expect(hasRole(env, member, role.id)).toBe(false);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(0);
    await env.discord.waitFor(() => (embedOf(env.discord.message(review.id)).title === 'Accepted but not paid: Role too high' ? true : undefined), 10_000, 'reviewers to see the failure');
    expect(buttonsOf(env.discord.message(review.id)).map((b) => b.label)).toEqual(['Accept', 'Reject']);

    // The admin moves Guildflow's role up, presses Accept again: paid once, under a new key.
    env.discord.setBotRolePosition(guildId, botTop + 2);
    expect(await answer(env.discord.clickButton(env.discord.message(review.id)!, `gf:task-accept:${task.id}.${member}`, admin))).toContain('Accepted');
    const done = await waitForClaim(env, task.id, member, 'completed');
    expect(done).toMatchObject({ rewardPaid: 25n, awardFailure: null, roleGranted: true });
    expect(await balanceOf(env, member)).toBe(25n);
    expect(hasRole(env, member, role.id)).toBe(true);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(1);
  });

  it('the database goes away right after the reward moved: the record is retried until written, paid exactly once', async () => {
    const { task, member, review } = await submitted('Flaky database', { reward: 40n });
    completeFailures = 2;
    const before = completeAttempts;
    expect(await answer(env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, admin))).toContain('Accepted');
    const done = await waitForClaim(env, task.id, member, 'completed', 30_000);
    expect(completeAttempts - before).toBe(3);
    expect(done.rewardPaid).toBe(40n);
    expect(await balanceOf(env, member)).toBe(40n);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(1);
    await workflowStatus(env, `task:${task.id}:${member}`, 'COMPLETED');
    expect((await env.ledger.validate(guildId)).ok).toBe(true);
  });

  it('the reward’s transfer stuck longer than the patience (its answers lost after it committed): stuck and told, then completed, paid exactly once', async () => {
    const row = await createTaskRow(env, { name: 'Stuck reward', reward: 35n });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, guildId, row.id);
    const task = await postedTask(env, row.id);
    const member = newMember(env, 'stuck');
    // Started as the Claim button would, with a short patience.
    const handle = await env.temporal.client.workflow.start<typeof taskClaim>(taskClaimFlow.type, {
      taskQueue: env.taskQueue,
      workflowId: taskClaimFlow.id(task.id, member),
      args: [{ guildId, taskId: task.id, userId: member, reply: null, patience: SHORT_PATIENCE } satisfies TaskClaimInput],
    });
    await waitForClaim(env, task.id, member, 'claimed');
    await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    const review = await reviewPost(env, task.id, member);
    stuckClaimId = handle.workflowId;

    const accept = env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, admin);
    const adminLog = { discord: env.discord, channelId: env.demo.channels.adminLog.id };
    const stuck = await waitUntilStuck(handle, 'pay the reward', adminLog);
    expect(stuck.failure).toContain('ECONNREFUSED');
    expect((await handle.query(taskClaimStatusQuery)).status).toBe('awarding');
    expect(await claimRow(env, task.id, member)).toMatchObject({ status: 'submitted', rewardPaid: null });
    // Each attempt committed and lost its answer: the ledger applied the reward once.
    await lostAttempts(rewardDown);
    expect(rewardDown.failures).toBeGreaterThanOrEqual(2);
    const rewardEntries = () => env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `${handle.workflowId}:award:` } } });
    await waitFor(async () => (await rewardEntries()) > 0, { timeoutMs: 20_000, what: 'the reward entry' });
    expect(await rewardEntries()).toBe(1);

    rewardDown.release();
    expect(await answer(accept)).toContain('Accepted');
    const done = await waitForClaim(env, task.id, member, 'completed');
    expect(done).toMatchObject({ rewardPaid: 35n, awardFailure: null });
    await workflowStatus(env, handle.workflowId, 'COMPLETED');
    await expectWentThrough(handle, adminLog);
    expect(await balanceOf(env, member)).toBe(35n);
    expect(await rewardEntries()).toBe(1);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: done.awardKey! } })).toBe(1);
    expect(await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ completedCount: 1 });
    expect((await env.ledger.validate(guildId)).ok).toBe(true);
  });
});
