import { domainMismatches } from '../../activities/ledger/consistency';
import type { Patience } from '../../lib/flows/flow';
import { taskClaimFlow, type TaskClaimInput } from '../../lib/flows/tasks';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { poolOf } from '../../prisma/transactions';
import type { taskClaim } from '../../workflows/task';
import { startOutageWorker, type OutageWorker } from '../helpers/outage';
import { expectWentThrough, waitUntilStuck } from '../helpers/stuck-flows';
import { answer, balanceOf, createTaskRow, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, workflowStatus, type TasksEnv } from '../tasks/helpers';

/**
 * The database goes away right after a task's reward was paid — the award's reply never arrives — and
 * stays away longer than a round: the claim is stuck, then completed with the reward paid once.
 */
const PATIENCE: Patience = { stuckAfterSeconds: 2, retryEverySeconds: 1 };
const DOWN_MS = 6000;

describe('a database outage right after a task award', () => {
  let env: TasksEnv;
  let worker: OutageWorker;

  beforeAll(async () => {
    env = await startTasksEnv();
    worker = await startOutageWorker({ dbUrl: env.db.url, discord: env.discord, temporal: env.temporal, taskQueue: env.taskQueue });
    // A worker that has posted in the admin log before knows where it is while the database is away.
    await worker.activities.discordPostAdminLog({ guildId: env.guildId, message: { content: 'Guildflow worker online' } });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.close();
  });

  it('cut after the reward’s ledgerTransfer: completed, paid once, the ledger agrees', async () => {
    const row = await createTaskRow(env, { name: 'DatabaseCut reward', reward: 35n });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
    const task = await postedTask(env, row.id);
    const member = newMember(env, 'outage');
    const handle = await env.temporal.client.workflow.start<typeof taskClaim>(taskClaimFlow.type, {
      taskQueue: env.taskQueue,
      workflowId: taskClaimFlow.id(task.id, member),
      args: [{ guildId: env.guildId, taskId: task.id, userId: member, reply: null, patience: PATIENCE } satisfies TaskClaimInput],
    });
    await waitForClaim(env, task.id, member, 'claimed');
    await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    const review = await reviewPost(env, task.id, member);

    const outage = worker.cutAfter('ledgerTransfer', { downMs: DOWN_MS, when: (input) => (input as { key: string }).key.startsWith(`${handle.workflowId}:award:`) });
    const accept = env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, env.demo.admin.id);
    const adminLog = { discord: env.discord, channelId: env.demo.channels.adminLog.id };
    expect(await waitUntilStuck(handle, 'pay the reward', adminLog)).toMatchObject({ step: 'pay the reward' });
    const o = await outage;
    expect(o.restoredAt - o.cutAt).toBeGreaterThan(PATIENCE.stuckAfterSeconds * 1000);

    expect(await answer(accept)).toContain('Accepted');
    const done = await waitForClaim(env, task.id, member, 'completed');
    expect(done).toMatchObject({ rewardPaid: 35n, awardFailure: null });
    await workflowStatus(env, handle.workflowId, 'COMPLETED');
    await expectWentThrough(handle, adminLog);
    expect(await balanceOf(env, member)).toBe(35n);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `${handle.workflowId}:award:` } } })).toBe(1);
    expect((await env.ledger.validate(env.guildId)).ok).toBe(true);
    expect(await domainMismatches(poolOf(env.prisma), env.guildId)).toEqual([]);
  });
});
