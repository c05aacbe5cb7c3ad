import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { waitFor } from '../../lib/wait';
import { answer, buttonsOf, claimRow, clickClaim, createTaskRow, embedOf, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, workflowStatus, type TasksEnv } from './helpers';

/**
 * The rest of the task commands through the fake Discord: settings and stats, member proposals, a task's
 * end date closing its post, and a rejection that comes after the claim's deadline.
 */
describe('task commands', () => {
  let env: TasksEnv;
  let guildId: string;
  let admin: string;

  beforeAll(async () => {
    env = await startTasksEnv();
    await env.startWorker();
    guildId = env.guildId;
    admin = env.demo.admin.id;
  });
  afterAll(() => env?.close());

  const adminCmd = (sub: string, options: Record<string, unknown> = {}, user = admin) => env.discord.slash(guildId, user, 'task-admin', options, { subcommand: sub });
  async function postTask(data: Parameters<typeof createTaskRow>[1]) {
    const row = await createTaskRow(env, data);
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, guildId, row.id);
    return postedTask(env, row.id);
  }

  it('/task-admin settings shows and changes the settings (audited); bad values change nothing', async () => {
    const shown = await answer(adminCmd('settings'));
    expect(shown).toContain(`Task channel: <#${env.demo.channels.tasks.id}>`);
    expect(shown).toContain('Reviewers: admin and above');
    const bad = await answer(adminCmd('settings', { max_active: 0 }));
    expect(bad).toMatch(/maxActivePerUser: Max active tasks per member is at least 1/);
    expect((await env.prisma.taskSettings.findUniqueOrThrow({ where: { guildId } })).maxActivePerUser).toBe(3);
    const changed = await answer(adminCmd('settings', { max_active: 5, reviewers: 'mod', revoke_window: '2d', proposals: true }));
    expect(changed).toContain('Task settings updated');
    expect(await env.prisma.taskSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ maxActivePerUser: 5, reviewerLevel: 'mod', revokeWindowSeconds: 172_800, memberProposals: true });
    expect(await env.prisma.auditEvent.count({ where: { guildId, action: 'task_settings.updated' } })).toBe(1);
    await env.prisma.taskSettings.update({ where: { guildId }, data: { maxActivePerUser: 3, reviewerLevel: 'admin', revokeWindowSeconds: 0 } });
  });

  it('member proposals: a member proposes with /task create (not posted, not claimable); an admin opens it and it is posted', async () => {
    const member = newMember(env, 'proposer');
    const create = env.discord.slash(guildId, member, 'task', { reward: 15 }, { subcommand: 'create' });
    await create.waitForResponse();
    expect(await answer(env.discord.submitModal(create, create.modal()!.customId, member, { name: 'Clean the wiki', description: 'Dead links.', category: '' }))).toContain('Proposed #');
    const proposal = await env.prisma.task.findFirstOrThrow({ where: { guildId, name: 'Clean the wiki' } });
    expect(proposal).toMatchObject({ status: 'proposed', reward: 15n, createdBy: member, messageId: null });
    expect(await answer(env.discord.slash(guildId, member, 'tasks', {}))).not.toContain('Clean the wiki');

    expect(await answer(adminCmd('edit', { task: `#${proposal.id}`, open: true }))).toContain(`Updated #${proposal.id} Clean the wiki`);
    const posted = await postedTask(env, proposal.id);
    expect(embedOf(env.discord.message(posted.messageId!)).title).toBe(`#${proposal.id} Clean the wiki`);
    expect(await answer(env.discord.slash(guildId, member, 'tasks', {}))).toContain('Clean the wiki');

    // Proposals off again: a member's /task create is refused before the form, nothing created.
    await env.prisma.taskSettings.update({ where: { guildId }, data: { memberProposals: false } });
    const count = await env.prisma.task.count();
    expect(await answer(env.discord.slash(guildId, member, 'task', { reward: 1 }, { subcommand: 'create' }))).toBe('Only admins create tasks in this server (member proposals are off).');
    expect(await env.prisma.task.count()).toBe(count);
  });

  it('a task’s end date closes its post by itself (auto-expire) and claims are refused', async () => {
    const task = await postTask({ name: 'Ends soon', reward: 1n, expiresAt: new Date(Date.now() + 2500) });
    expect(buttonsOf(env.discord.message(task.messageId!))[0]?.disabled).toBe(false);
    await env.discord.waitFor(() => {
      const post = env.discord.message(task.messageId!);
      return embedOf(post).title === `#${task.id} Ends soon (closed)` && buttonsOf(post)[0]?.disabled ? true : undefined;
    }, 15_000, 'the post to close at the end date');
    // Someone who still had the old post open: the claim workflow refuses.
    const { startClaim } = await import('../../lib/flows/tasks.client');
    const late = newMember(env, 'late');
    const { workflowId } = await startClaim({ temporal: env.temporal.client, taskQueue: env.taskQueue }, { guildId, taskId: task.id, userId: late });
    const result = (await env.temporal.client.workflow.getHandle(workflowId).result()) as { status: string; refusal: string };
    expect(result).toMatchObject({ status: 'refused', refusal: '**Ends soon** is not taking claims any more.' });
    expect(await claimRow(env, task.id, late)).toBeNull();
    await workflowStatus(env, `task-message:${guildId}:${task.id}`, 'COMPLETED');
  });

  it('a rejection after the deadline expires the claim (no more resubmits) and frees the slot', async () => {
    const task = await postTask({ name: 'Tight', reward: 3n, claimDurationSeconds: 3, maxClaims: 1 });
    const member = newMember(env, 'tight');
    await answer(clickClaim(env, task, member));
    await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    const review = await reviewPost(env, task.id, member);
    // The proof is with the reviewers: the deadline does not expire it while they decide.
    const { deadlineAt } = (await claimRow(env, task.id, member))!;
    await waitFor(() => Date.now() > deadlineAt.getTime() + 500, { timeoutMs: 10_000, intervalMs: 100, what: 'the claim deadline to pass' });
    expect((await claimRow(env, task.id, member))?.status).toBe('submitted');
    const click = env.discord.clickButton(review, `gf:task-reject:${task.id}.${member}`, admin);
    await click.waitForResponse();
    expect(await answer(env.discord.submitModal(click, click.modal()!.customId, admin, { reason: 'Incomplete' }))).toContain('Rejected; the deadline has passed, so the claim expired.');
    await waitForClaim(env, task.id, member, 'expired');
    expect((await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).slotsTaken).toBe(0);
  });

  it('/task-admin stats counts completed, expired and what was paid', async () => {
    const task = await postTask({ name: 'Counted', reward: 12n });
    const member = newMember(env, 'counted');
    await answer(clickClaim(env, task, member));
    await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
    await answer(env.discord.clickButton(await reviewPost(env, task.id, member), `gf:task-accept:${task.id}.${member}`, admin));
    await waitForClaim(env, task.id, member, 'completed');
    const one = await answer(adminCmd('stats', { task: `#${task.id}` }));
    expect(one).toContain(`Stats · #${task.id} Counted`);
    expect(one).toContain('Completed: 1 · Expired: 0');
    expect(one).toContain('🪙 12 Coins net (🪙 12 Coins paid, 🪙 0 Coins revoked)');
    const all = await answer(adminCmd('stats'));
    expect(all).toMatch(/Completed: 1 · Expired: 1/);
  });
});
