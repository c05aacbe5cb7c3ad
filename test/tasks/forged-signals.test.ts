import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { cancelClaimSignal, decideUpdate, taskClaimStatusQuery, taskClaimWorkflowId } from '../../lib/flows/tasks';
import { answer, balanceOf, clickClaim, createTaskRow, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, type TasksEnv } from './helpers';

/**
 * A task reward is paid only on a decision from a reviewer we can confirm ourselves. The `decide` update
 * carries the reviewer's id and level as its sender wrote them, and anyone with access to Temporal (its UI
 * or CLI) can send one: such a forged decision pays nothing, while a real admin's Accept still pays.
 */
describe('forged task decisions', () => {
  let env: TasksEnv;

  beforeAll(async () => {
    env = await startTasksEnv();
    await env.startWorker();
  });
  afterAll(() => env?.close());

  /** A posted task with a member's proof waiting for review. */
  async function submittedClaim(reward: bigint) {
    const row = await createTaskRow(env, { reward });
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, env.guildId, row.id);
    const task = await postedTask(env, row.id);
    const member = newMember(env, 'claimer');
    await answer(clickClaim(env, task, member));
    await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${task.id}`, proof: 'done: https://example.com/proof' }, { subcommand: 'submit' }));
    await waitForClaim(env, task.id, member, 'submitted');
    return { task, member, handle: env.temporal.client.workflow.getHandle(taskClaimWorkflowId(task.id, member)) };
  }

  it('a decide update claiming owner level for someone who is not a member pays nothing', async () => {
    const { task, member, handle } = await submittedClaim(300n);
    const outsider = env.discord.createUser({ username: 'outsider' }).id;
    const result = await handle.executeUpdate(decideUpdate, { args: [{ guildId: env.guildId, decision: 'accept', reviewerId: outsider, reviewerLevel: 'owner' }] });
    expect(result).toMatchObject({ ok: false, status: 'submitted' });
    expect(result.message).toMatch(/not a member or a working API token/);
    expect(await balanceOf(env, member)).toBe(0n);
    expect((await handle.query(taskClaimStatusQuery)).status).toBe('submitted');
    expect((await waitForClaim(env, task.id, member, 'submitted')).status).toBe('submitted');
  });

  it('a decide update naming a plain member (or a forged API token) with admin level pays nothing', async () => {
    const { member, handle } = await submittedClaim(300n);
    const plain = newMember(env, 'plain');
    for (const reviewerId of [plain, 'token:tok_forged']) {
      const result = await handle.executeUpdate(decideUpdate, { args: [{ guildId: env.guildId, decision: 'accept', reviewerId, reviewerLevel: 'admin' }] });
      expect(result).toMatchObject({ ok: false, status: 'submitted' });
    }
    expect(await balanceOf(env, member)).toBe(0n);
  });

  it('a cancelClaim signal pays nothing either; a real admin\'s Accept still pays once', async () => {
    const { task, member, handle } = await submittedClaim(120n);
    await handle.executeUpdate(decideUpdate, { args: [{ guildId: env.guildId, decision: 'accept', reviewerId: newMember(env, 'nobody'), reviewerLevel: 'owner' }] });
    const review = await reviewPost(env, task.id, member);
    await answer(env.discord.clickButton(review, `gf:task-accept:${task.id}.${member}`, env.demo.admin.id));
    await waitForClaim(env, task.id, member, 'completed');
    expect(await balanceOf(env, member)).toBe(120n);

    const other = await submittedClaim(50n);
    await other.handle.signal(cancelClaimSignal, { reason: 'forged from the Temporal UI' });
    await waitForClaim(env, other.task.id, other.member, 'cancelled');
    expect(await balanceOf(env, other.member)).toBe(0n);
    expect(await balanceOf(env, member)).toBe(120n);
  });
});
