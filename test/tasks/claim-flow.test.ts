import { waitFor } from '../../lib/wait';
import { taskClaimStatusQuery, type TaskClaimState } from '../../lib/flows/tasks';
import {
  answer,
  balanceOf,
  buttonsOf,
  claimRow,
  clickClaim,
  createTaskRow,
  embedOf,
  field,
  hasRole,
  newMember,
  postedTask,
  reviewPost,
  startTasksEnv,
  waitForClaim,
  workflowStatus,
  type RunningTestWorker,
  type TasksEnv,
} from './helpers';
import { requestTaskMessageSync } from '../../lib/flows/tasks.client';
import { systemAccount, userAccount } from '../../activities/ledger';

/**
 * The claim workflow through the fakes: members and admins click in the fake Discord, the bot's router
 * sends starts and updates, a worker runs workflows/task.ts with the real activities against the test
 * database. Assertions are on what people see (posts, replies, DMs, roles) and what is stored (balances,
 * claims, counters, workflow states).
 */
describe('task claims', () => {
  let env: TasksEnv;
  let worker: RunningTestWorker;
  let guildId: string;
  let admin: string;
  let owner: string;

  beforeAll(async () => {
    env = await startTasksEnv();
    worker = await env.startWorker();
    guildId = env.guildId;
    admin = env.demo.admin.id;
    owner = env.demo.owner.id;
  });
  afterAll(() => env?.close());

  const taskPost = async (taskId: number) => env.discord.message((await env.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).messageId!);
  const dms = (userId: string) => env.discord.dms(userId).map((m) => embedOf(m).title ?? m.content);
  const waitDm = (userId: string, title: RegExp) =>
    env.discord.waitFor(() => env.discord.dms(userId).find((m) => title.test(embedOf(m).title ?? '')), 15_000, `a DM to ${userId} titled ${title}`);
  /** A task created with a row and posted through the message workflow. */
  async function postTask(data: Parameters<typeof createTaskRow>[1]) {
    const row = await createTaskRow(env, data);
    await requestTaskMessageSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, guildId, row.id);
    return postedTask(env, row.id);
  }
  async function claim(taskId: number, userId: string) {
    const click = clickClaim(env, await postedTask(env, taskId), userId);
    const text = await answer(click);
    return { click, text };
  }
  async function submitProof(taskId: number, userId: string, proof: string) {
    return answer(env.discord.slash(guildId, userId, 'task', { task: `#${taskId}`, proof }, { subcommand: 'submit' }));
  }
  const decide = (taskId: number, userId: string, reviewer: string, review: Awaited<ReturnType<typeof reviewPost>>) =>
    env.discord.clickButton(review, `gf:task-accept:${taskId}.${userId}`, reviewer);
  async function reject(taskId: number, userId: string, reviewer: string, reason: string) {
    const review = await reviewPost(env, taskId, userId);
    const click = env.discord.clickButton(review, `gf:task-reject:${taskId}.${userId}`, reviewer);
    await click.waitForResponse();
    expect(click.modal()?.title).toBe('Reject proof');
    return env.discord.submitModal(click, click.modal()!.customId, reviewer, { reason });
  }

  it('happy path: /task create → post with Claim → claim → proof → Accept: reward paid from issuance, role given, counters, DMs, workflow completed', async () => {
    const role = env.discord.createRole(guildId, { name: 'Helper' });
    // The admin creates the task: options, then the form.
    const create = env.discord.slash(guildId, admin, 'task', { reward: 250, max_claims: 3, time: '1h', role: role.id }, { subcommand: 'create' });
    await create.waitForResponse();
    const modal = create.modal()!;
    expect(modal.title).toBe('New task');
    const submitted = env.discord.submitModal(create, modal.customId, admin, { name: 'Write a guide', description: 'A beginner guide for the wiki.', category: 'content' });
    expect(await answer(submitted)).toContain('Created #');
    const created = await env.prisma.task.findFirstOrThrow({ where: { guildId, name: 'Write a guide' } });
    expect(created).toMatchObject({ reward: 250n, maxClaims: 3, claimDurationSeconds: 3600, roleId: role.id, category: 'content', status: 'active', proofType: 'text' });
    expect(await env.prisma.auditEvent.count({ where: { guildId, action: 'task.created', targetId: String(created.id) } })).toBe(1);

    // Its post in the task channel: Claim button and counters.
    const task = await postedTask(env, created.id);
    expect(task.messageChannelId).toBe(env.demo.channels.tasks.id);
    let post = await taskPost(task.id);
    expect(embedOf(post).title).toBe(`#${task.id} Write a guide`);
    expect(field(post, 'Claims')).toBe('0 / 3 taken');
    expect(field(post, 'Reward')).toBe(`🪙 250 Coins + <@&${role.id}>`);
    expect(buttonsOf(post).map((b) => [b.label, b.custom_id, b.disabled])).toEqual([['Claim', `gf:task-claim:${task.id}`, false]]);

    // A member claims: the reply says so, the post counts it.
    const member = newMember(env, 'happy');
    const { text } = await claim(task.id, member);
    expect(text).toContain('You claimed Write a guide');
    const workflowId = `task:${task.id}:${member}`;
    expect(await claimRow(env, task.id, member)).toMatchObject({ id: workflowId, status: 'claimed', submissions: 0 });
    await env.discord.waitFor(() => (field(env.discord.message(task.messageId!), 'Claims') === '1 / 3 taken' ? true : undefined), 10_000, 'the post to count the claim');

    // Proof by /task submit → review post with Accept / Reject.
    expect(await submitProof(task.id, member, 'Here it is: https://wiki.example/guide')).toContain('Your proof was sent to the reviewers.');
    const review = await reviewPost(env, task.id, member);
    expect(review.channelId).toBe(env.reviewChannelId);
    expect(embedOf(review).title).toBe('Proof to review: Write a guide');
    expect(embedOf(review).description).toContain('https://wiki.example/guide');
    expect(embedOf(review).footer?.text).toBe(`Guildflow · ${workflowId}`);
    expect(buttonsOf(review).map((b) => b.label)).toEqual(['Accept', 'Reject']);
    expect((await claimRow(env, task.id, member))?.status).toBe('submitted');

    // The admin accepts.
    const issuanceBefore = (await env.ledger.balance(guildId, systemAccount('issuance'), 'currency')).balance;
    expect(await answer(decide(task.id, member, admin, review))).toContain('Accepted: the reward was paid and the member told.');
    const done = await waitForClaim(env, task.id, member, 'completed');
    expect(done).toMatchObject({ rewardPaid: 250n, roleGranted: true, decidedBy: admin, awardFailure: null });
    expect(await balanceOf(env, member)).toBe(250n);
    expect((await env.ledger.balance(guildId, systemAccount('issuance'), 'currency')).balance - issuanceBefore).toBe(-250n);
    const entry = (await env.ledger.entry(done.awardKey!))!;
    expect(entry).toMatchObject({ type: 'reward', status: 'posted', actor: { type: 'user', id: admin } });
    expect(done.awardKey).toMatch(new RegExp(`^${workflowId}:award:`));
    expect(hasRole(env, member, role.id)).toBe(true);
    await waitDm(member, /^Task accepted: Write a guide$/);
    expect(embedOf(env.discord.dms(member).at(-1)).description).toBe(`You earned 🪙 250 Coins and the role <@&${role.id}>.`);

    // Counters on the post, the review post closed with Revoke, the workflow completed (no revoke window here).
    await env.discord.waitFor(() => (field(env.discord.message(task.messageId!), 'Completed') === '1' ? true : undefined), 10_000, 'the post to count the completion');
    post = await taskPost(task.id);
    expect(field(post, 'Claims')).toBe('1 / 3 taken');
    await env.discord.waitFor(() => (embedOf(env.discord.message(review.id)).title === 'Accepted: Write a guide' ? true : undefined), 10_000, 'the review post to show the decision');
    expect(buttonsOf(env.discord.message(review.id)).map((b) => b.label)).toEqual(['Revoke']);
    await workflowStatus(env, workflowId, 'COMPLETED');
    const result = (await env.temporal.client.workflow.getHandle(workflowId).result()) as TaskClaimState;
    expect(result).toMatchObject({ status: 'completed', submissions: 1, decidedBy: admin });
    const described = await env.temporal.client.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes).toMatchObject({ GuildId: [guildId], DiscordUserId: [member], FlowKind: ['task'] });
    // Clicking Claim again: refused, nothing changes.
    expect((await claim(task.id, member)).text).toContain('You already completed **Write a guide**');
    expect(await balanceOf(env, member)).toBe(250n);
  });

  it('max_claims = 3 and 10 members clicking Claim at once: exactly 3 slots taken, 7 told it is full', async () => {
    const task = await postTask({ name: 'Only three', reward: 10n, maxClaims: 3 });
    const members = Array.from({ length: 10 }, () => newMember(env, 'rush'));
    const clicks = members.map((m) => clickClaim(env, task, m));
    const texts = await Promise.all(clicks.map((c) => answer(c)));
    expect(texts.filter((t) => t.includes('You claimed Only three'))).toHaveLength(3);
    expect(texts.filter((t) => t.includes('All 3 slots of **Only three** are taken.'))).toHaveLength(7);
    expect(await env.prisma.taskClaim.count({ where: { taskId: task.id } })).toBe(3);
    expect((await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).slotsTaken).toBe(3);
    await env.discord.waitFor(() => {
      const post = env.discord.message(task.messageId!);
      return field(post, 'Claims') === '3 / 3 taken' && buttonsOf(post)[0]?.disabled ? true : undefined;
    }, 10_000, 'the post to show the task full');
    expect(buttonsOf(env.discord.message(task.messageId!))[0]?.label).toBe('All slots taken');
  });

  it('the claim deadline passes: expired, slot freed, member told, another member can take the slot', async () => {
    const task = await postTask({ name: 'Quick one', reward: 10n, maxClaims: 1, claimDurationSeconds: 2 });
    const slow = newMember(env, 'slow');
    expect((await claim(task.id, slow)).text).toContain('You claimed Quick one');
    const other = newMember(env, 'other');
    // The only slot is taken: the post's button says so and cannot be pressed.
    await env.discord.waitFor(() => (buttonsOf(env.discord.message(task.messageId!))[0]?.disabled ? true : undefined), 10_000, 'the Claim button to be disabled');
    expect(() => clickClaim(env, task, other)).toThrow(/is disabled/);
    await waitForClaim(env, task.id, slow, 'expired', 15_000);
    await workflowStatus(env, `task:${task.id}:${slow}`, 'COMPLETED');
    const row = await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
    expect(row).toMatchObject({ slotsTaken: 0, expiredCount: 1, completedCount: 0 });
    await waitDm(slow, /^Task expired: Quick one$/);
    // Proof after the deadline is refused by the workflow (it is over).
    expect(await submitProof(task.id, slow, 'late')).toMatch(/This claim is over/);
    // The freed slot: the post offers it again and the other member takes it.
    await env.discord.waitFor(() => {
      const post = env.discord.message(task.messageId!);
      return field(post, 'Claims') === '0 / 1 taken' && buttonsOf(post)[0]?.disabled === false ? true : undefined;
    }, 10_000, 'the post to free the slot');
    expect((await claim(task.id, other)).text).toContain('You claimed Quick one');
  });

  it('reject → resubmit → accept: the member reads the reason, the second proof is paid once', async () => {
    const task = await postTask({ name: 'Draw a logo', reward: 40n, proofType: 'link' });
    const member = newMember(env, 'artist');
    await claim(task.id, member);
    // A link task refuses a proof without a link (the validator: nothing recorded).
    expect(await submitProof(task.id, member, 'I drew it')).toContain('This task needs a link (https://…) as proof.');
    expect((await claimRow(env, task.id, member))?.submissions).toBe(0);
    expect(await submitProof(task.id, member, 'https://img.example/logo-v1.png')).toContain('sent to the reviewers');

    expect(await answer(await reject(task.id, member, admin, 'Too blurry'))).toContain('Rejected; the member was told the reason');
    const rejected = await waitForClaim(env, task.id, member, 'claimed');
    expect(rejected).toMatchObject({ rejectReason: 'Too blurry', submissions: 1, decidedBy: admin });
    const dm = await waitDm(member, /^Proof rejected: Draw a logo$/);
    expect(embedOf(dm).description).toContain('Reason: Too blurry');
    expect(buttonsOf(dm).map((b) => b.custom_id)).toEqual([`gf:task-proof:${task.id}`]);
    expect(await balanceOf(env, member)).toBe(0n);

    // Resubmits with the DM's Submit proof button → form.
    const open = env.discord.clickButton(dm, `gf:task-proof:${task.id}`, member);
    await open.waitForResponse();
    const form = env.discord.submitModal(open, open.modal()!.customId, member, { proof: 'Sharper: https://img.example/logo-v2.png' });
    expect(await answer(form)).toContain('sent to the reviewers');
    const second = await reviewPost(env, task.id, member, 2);
    expect(embedOf(second).description).toContain('logo-v2');
    expect(await answer(decide(task.id, member, admin, second))).toContain('Accepted');
    await waitForClaim(env, task.id, member, 'completed');
    expect(await balanceOf(env, member)).toBe(40n);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(1);
  });

  it('two admins press Accept and Reject at the same moment: exactly one decision, the other is told', async () => {
    const task = await postTask({ name: 'Contested', reward: 30n });
    const member = newMember(env, 'contested');
    await claim(task.id, member);
    await submitProof(task.id, member, 'done');
    const review = await reviewPost(env, task.id, member);
    // The owner opens the Reject form first, then both send at once.
    const rejectClick = env.discord.clickButton(review, `gf:task-reject:${task.id}.${member}`, owner);
    await rejectClick.waitForResponse();
    const [acceptText, rejectText] = await Promise.all([
      answer(decide(task.id, member, admin, review)),
      answer(env.discord.submitModal(rejectClick, rejectClick.modal()!.customId, owner, { reason: 'Not good enough' })),
    ]);
    const accepted = acceptText.includes('Accepted: the reward was paid');
    const rejectedFirst = rejectText.includes('Rejected; the member was told');
    expect([accepted, rejectedFirst].filter(Boolean)).toHaveLength(1);
    const loser = accepted ? rejectText : acceptText;
    expect(loser).toMatch(/Another reviewer is deciding this proof right now|already accepted|There is no proof waiting/);
    const claimNow = await waitFor(async () => {
      const c = await claimRow(env, task.id, member);
      return c && (c.status === 'completed' || c.status === 'claimed') ? c : undefined;
    }, { timeoutMs: 10_000, what: 'the decision to be stored' });
    expect(claimNow.status).toBe(accepted ? 'completed' : 'claimed');
    expect(await balanceOf(env, member)).toBe(accepted ? 30n : 0n);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(accepted ? 1 : 0);
  });

  it('a non-reviewer cannot decide, nor the claimant review their own proof; nothing changes', async () => {
    const task = await postTask({ name: 'Guarded', reward: 5n });
    const member = newMember(env, 'guarded');
    await claim(task.id, member);
    await submitProof(task.id, member, 'proof');
    const review = await reviewPost(env, task.id, member);
    // A mod (reviewers are admins by default) is refused by the bot before any update.
    expect(await answer(decide(task.id, member, env.demo.mod.id, review))).toBe('Only a server admin or a member with the Review tasks grant can review tasks (you are mod).');
    // The workflow's validator refuses a self-review even from an admin-level caller (the API path).
    const { sendDecision } = await import('../../lib/flows/tasks.client');
    await expect(sendDecision(env.temporal.client, task.id, member, { guildId, decision: 'accept', reviewerId: member, reviewerLevel: 'owner' })).rejects.toThrow('You cannot review your own proof.');
    await expect(sendDecision(env.temporal.client, task.id, member, { guildId, decision: 'accept', reviewerId: env.demo.mod.id, reviewerLevel: 'mod' })).rejects.toThrow('Only a server admin or a member with the Review tasks grant can review proofs.');
    expect((await claimRow(env, task.id, member))?.status).toBe('submitted');
    const history = await env.temporal.client.workflow.getHandle(`task:${task.id}:${member}`).fetchHistory();
    // Rejected updates never reach history.
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length).toBe(1); // the proof only
    expect(await balanceOf(env, member)).toBe(0n);
  });

  it('the award fails (the ledger refuses): role taken back, back to submitted with the reason for reviewers, nothing paid; a reject still works', async () => {
    const role = env.discord.createRole(guildId, { name: 'Unpaid' });
    const task = await postTask({ name: 'Broken reward', reward: 70n, roleId: role.id });
    // The reward's asset disappears from the guild: the ledger refuses the transfer (UnknownAsset).
    await env.prisma.task.update({ where: { id: task.id }, data: { assetCode: 'nosuchasset' } });
    const member = newMember(env, 'unpaid');
    await claim(task.id, member);
    await submitProof(task.id, member, 'done');
    const review = await reviewPost(env, task.id, member);
    const text = await answer(decide(task.id, member, admin, review));
    expect(text).toContain('The award failed and nothing was paid');
    expect(text).toMatch(/nosuchasset/);
    const c = await waitFor(async () => {
      const row = await claimRow(env, task.id, member);
      return row?.awardFailure ? row : undefined;
    }, { timeoutMs: 10_000, what: 'the award failure to be recorded' });
    expect(c).toMatchObject({ status: 'submitted', rewardPaid: null, completedAt: null });
    expect(hasRole(env, member, role.id)).toBe(false);
    expect(env.discord.roleChanges().filter((r) => r.userId === member && r.roleId === role.id).map((r) => r.action)).toEqual(['add', 'remove']);
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `task:${task.id}:${member}:` } } })).toBe(0);
    await env.discord.waitFor(() => (embedOf(env.discord.message(review.id)).title === 'Accepted but not paid: Broken reward' ? true : undefined), 10_000, 'reviewers to see the failure');
    expect(embedOf(env.discord.message(review.id)).description).toContain('The award failed, nothing was paid');
    expect(buttonsOf(env.discord.message(review.id)).map((b) => b.label)).toEqual(['Accept', 'Reject']);
    const state = await env.temporal.client.workflow.getHandle(`task:${task.id}:${member}`).query(taskClaimStatusQuery);
    expect(state).toMatchObject({ status: 'submitted' });
    expect(state.awardFailure).toMatch(/nosuchasset/);
    expect(dms(member).filter((t) => /accepted/i.test(String(t)))).toEqual([]);
    // Reviewers can still reject it.
    expect(await answer(await reject(task.id, member, admin, 'Reward misconfigured, sorry'))).toContain('Rejected');
    await waitForClaim(env, task.id, member, 'claimed');
  });

  it('revoke within the window: the reward is reversed (what is left, never below zero), the role removed, the member told', async () => {
    await env.prisma.taskSettings.update({ where: { guildId }, data: { revokeWindowSeconds: 600 } });
    try {
      const role = env.discord.createRole(guildId, { name: 'Revokable' });
      const task = await postTask({ name: 'Revoke me', reward: 100n, roleId: role.id });
      const member = newMember(env, 'revoked');
      await claim(task.id, member);
      await submitProof(task.id, member, 'done');
      await answer(decide(task.id, member, admin, await reviewPost(env, task.id, member)));
      await waitForClaim(env, task.id, member, 'completed');
      expect(await balanceOf(env, member)).toBe(100n);
      // The member spends 60 of it.
      await env.ledger.transfer({ guildId, key: `spend:${member}`, type: 'purchase', actor: { type: 'user', id: member }, asset: 'currency', from: userAccount(member), to: systemAccount('sink'), amount: 60n });
      const workflowId = `task:${task.id}:${member}`;
      // The row turns completed first; the flow opens the revoke window after telling reviewers and member.
      await waitFor(async () => (await env.temporal.client.workflow.getHandle(workflowId).query(taskClaimStatusQuery)).revokableUntil !== null, {
        timeoutMs: 15_000,
        what: 'the revoke window to open',
      });

      const review = env.discord.message((await claimRow(env, task.id, member))!.reviewMessageId!)!;
      const click = env.discord.clickButton(review, `gf:task-revoke:${task.id}.${member}`, admin);
      await click.waitForResponse();
      const text = await answer(env.discord.submitModal(click, click.modal()!.customId, admin, { reason: 'Plagiarised' }));
      expect(text).toContain('Revoked. 40 taken back; 60 could not be (the member had spent it). The role was removed.');
      const c = await waitForClaim(env, task.id, member, 'revoked');
      expect(c).toMatchObject({ reversedAmount: 40n, reversalShortfall: 60n, revokeReason: 'Plagiarised', revokedBy: admin, roleGranted: false });
      expect(await balanceOf(env, member)).toBe(0n);
      const reversal = (await env.ledger.entry(`${workflowId}:revoke`))!;
      expect(reversal).toMatchObject({ type: 'reversal', status: 'posted' });
      expect(hasRole(env, member, role.id)).toBe(false);
      const dm = await waitDm(member, /^Award revoked: Revoke me$/);
      expect(embedOf(dm).description).toContain('Reason: Plagiarised');
      expect(embedOf(dm).description).toContain('🪙 60 Coins could not be taken back');
      await workflowStatus(env, workflowId, 'COMPLETED');
      const t = await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
      expect(t).toMatchObject({ completedCount: 0, slotsTaken: 0 });
      expect((await env.ledger.validate(guildId)).ok).toBe(true);
      // A second revoke: the flow is over, nothing changes.
      const { sendRevoke } = await import('../../lib/flows/tasks.client');
      await expect(sendRevoke(env.temporal.client, task.id, member, { guildId, reviewerId: admin, reviewerLevel: 'admin', reason: 'again' })).rejects.toThrow(/This claim is over/);
      expect(await balanceOf(env, member)).toBe(0n);
    } finally {
      await env.prisma.taskSettings.update({ where: { guildId }, data: { revokeWindowSeconds: 0 } });
    }
  });

  it('a worker restart while the proof waits for review: the Accept button still works', async () => {
    const task = await postTask({ name: 'Survives restarts', reward: 15n });
    const member = newMember(env, 'restart');
    await claim(task.id, member);
    await submitProof(task.id, member, 'done');
    const review = await reviewPost(env, task.id, member);
    await worker.stop();
    worker = await env.startWorker();
    expect(await answer(decide(task.id, member, admin, review))).toContain('Accepted');
    await waitForClaim(env, task.id, member, 'completed');
    expect(await balanceOf(env, member)).toBe(15n);
    await workflowStatus(env, `task:${task.id}:${member}`, 'COMPLETED');
  });

  it('/task abandon frees the slot; /task mine lists open claims; /tasks lists by category, paged', async () => {
    const task = await postTask({ name: 'Abandon me', reward: 5n, maxClaims: 1, category: 'chores' });
    const member = newMember(env, 'quitter');
    await claim(task.id, member);
    const mine = await answer(env.discord.slash(guildId, member, 'task', {}, { subcommand: 'mine' }));
    expect(mine).toContain(`**#${task.id} Abandon me** — claimed · proof due`);
    expect(await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}` }, { subcommand: 'abandon' }))).toContain('You abandoned the task');
    await waitForClaim(env, task.id, member, 'abandoned');
    expect((await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).slotsTaken).toBe(0);
    // Abandoning again: the flow is over.
    expect(await answer(env.discord.slash(guildId, member, 'task', { task: `#${task.id}` }, { subcommand: 'abandon' }))).toMatch(/This claim is over/);

    for (let i = 0; i < 6; i++) await createTaskRow(env, { name: `Chore ${i}`, reward: 1n, category: 'chores' });
    const list = env.discord.slash(guildId, member, 'tasks', { category: 'chores' });
    const first = await answer(list);
    expect(first).toContain('Tasks · chores');
    expect(first).toContain('Page 1 of 2 · 7 tasks');
    const page = list.original()!;
    const next = buttonsOf(page).find((b) => b.label === 'Next')!;
    await env.discord.clickButton(page, next.custom_id, member).waitForResponse();
    const second = env.discord.message(page.id)!;
    expect(embedOf(second).description).toContain('Page 2 of 2 · 7 tasks');
    expect(embedOf(second).description).toContain(`#${task.id} Abandon me`);
  });

  it('deleting a task cancels its open claims and tells their members; its post says so', async () => {
    const task = await postTask({ name: 'Doomed', reward: 5n });
    const a = newMember(env, 'doomed-a');
    const b = newMember(env, 'doomed-b');
    await claim(task.id, a);
    await claim(task.id, b);
    await submitProof(task.id, b, 'done');
    expect(await answer(env.discord.slash(guildId, admin, 'task-admin', { task: `#${task.id}` }, { subcommand: 'delete' }))).toContain('2 open claim(s) cancelled');
    await waitForClaim(env, task.id, a, 'cancelled');
    await waitForClaim(env, task.id, b, 'cancelled');
    await waitDm(a, /^Task removed: Doomed$/);
    await waitDm(b, /^Task removed: Doomed$/);
    await workflowStatus(env, `task:${task.id}:${a}`, 'COMPLETED');
    await env.discord.waitFor(() => (embedOf(env.discord.message(task.messageId!)).title === 'Doomed (removed)' ? true : undefined), 10_000, 'the post to say removed');
    expect(buttonsOf(env.discord.message(task.messageId!))).toEqual([]);
    expect(await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'deleted', slotsTaken: 0 });
    // Claiming a removed task: refused.
    const late = newMember(env, 'late');
    const { sendProof } = await import('../../lib/flows/tasks.client');
    await expect(sendProof(env.temporal.client, task.id, { userId: late, text: 'x', urls: [] })).rejects.toThrow(/This claim is over/);
  });

  it('the active-task limit per member and assigned tasks are enforced by the claim', async () => {
    await env.prisma.taskSettings.update({ where: { guildId }, data: { maxActivePerUser: 2 } });
    try {
      const member = newMember(env, 'busy');
      const tasks = [await postTask({ name: 'L1', reward: 1n }), await postTask({ name: 'L2', reward: 1n }), await postTask({ name: 'L3', reward: 1n })];
      expect((await claim(tasks[0]!.id, member)).text).toContain('You claimed');
      expect((await claim(tasks[1]!.id, member)).text).toContain('You claimed');
      expect((await claim(tasks[2]!.id, member)).text).toContain('You already have 2 open tasks (the limit is 2)');
      expect(await claimRow(env, tasks[2]!.id, member)).toBeNull();
      const assignee = newMember(env, 'assignee');
      const assigned = await postTask({ name: 'Only for one', reward: 1n, assignedUserIds: [assignee] });
      expect((await claim(assigned.id, member)).text).toContain('is assigned to particular members only');
      expect((await claim(assigned.id, assignee)).text).toContain('You claimed');
    } finally {
      await env.prisma.taskSettings.update({ where: { guildId }, data: { maxActivePerUser: 3 } });
    }
  });

  it('a member with closed DMs: telling them fails quietly, no step is undone (the claim still completes)', async () => {
    const task = await postTask({ name: 'DMs closed', reward: 9n });
    const member = newMember(env, 'closed');
    env.discord.setDmsClosed(member, true);
    await claim(task.id, member);
    await submitProof(task.id, member, 'done');
    await answer(decide(task.id, member, admin, await reviewPost(env, task.id, member)));
    await waitForClaim(env, task.id, member, 'completed');
    expect(await balanceOf(env, member)).toBe(9n);
    expect(env.discord.dms(member)).toEqual([]);
  });
});
