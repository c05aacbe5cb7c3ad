/**
 * `npm run playground -- scripts/playground-examples/task-review.ts`: a task from post to reward. The admin
 * sets the task and review channels and posts a task paying coins, through the API; the member claims it on
 * its post and sends proof in the form; the admin accepts it on the review post: the reward is paid once.
 */
import { taskClaimWorkflowId } from '../../lib/flows/tasks';
import { waitFor } from '../../lib/wait';
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

const REWARD = 150n;

export default async function taskReview(playground: Playground): Promise<{ workflowIds: string[]; taskId: number; reward: bigint; balanceBefore: bigint; balanceAfter: bigint }> {
  const { discord, demo, prisma } = playground;
  const { roles, channels, admin, member } = demo;
  const { say, show, press, fill, flow, api, balance } = transcript(playground);
  const claimRow = (taskId: number) => prisma.taskClaim.findUnique({ where: { taskId_userId: { taskId, userId: member.id } } });

  say('> Admin (API): PATCH /settings — admin role @Admin (admins review proofs), admin log #admin-log');
  await api('PATCH', '/settings', { adminRoleIds: [roles.admin.id], adminLogChannelId: channels.adminLog.id });
  // A revoke window of 0 ends the claim's flow at the award; a server keeps one so reviewers can still revoke.
  say('> Admin (API): PATCH /tasks/settings — tasks in #tasks, proofs reviewed in #admin-log, no revoke window');
  await api('PATCH', '/tasks/settings', { taskChannelId: channels.tasks.id, reviewChannelId: channels.adminLog.id, revokeWindowSeconds: 0 });
  say(`> Admin (API): POST /tasks — "Write a beginner guide", ${REWARD} coins, 3 slots, 1 hour per claim`);
  const task = await api<{ id: number }>('POST', '/tasks', { name: 'Write a beginner guide', description: 'A short guide for new members, for the wiki.', reward: String(REWARD), maxClaims: 3, claimDurationSeconds: 3600 });

  // The task's post is drawn by its own flow.
  const posted = await waitFor(async () => (await prisma.task.findUniqueOrThrow({ where: { id: task.id } })).messageId, { timeoutMs: 30_000, what: `task #${task.id}'s post` });
  const post = discord.message(posted)!;
  say('The post in #tasks:');
  show(post);

  const balanceBefore = await balance(member.id);
  const claim = await press(post, buttonId(post, 'Claim'), member.id, 'Claim');
  const proofForm = await press(claim.original()!, buttonId(claim.original(), 'Submit proof'), member.id, 'Submit proof');
  await fill(proofForm, member.id, { proof: 'Done: https://wiki.example/beginner-guide' });

  const review = await waitFor(async () => (await claimRow(task.id))?.reviewMessageId, { timeoutMs: 30_000, what: 'the review post' });
  const reviewPost = await discord.waitFor(() => discord.message(review), 10_000, 'the review message');
  say('The review post in #admin-log:');
  show(reviewPost);
  await press(reviewPost, buttonId(reviewPost, 'Accept'), admin.id, 'Accept');

  const dm = await discord.waitFor(() => discord.dms(member.id).find((m) => m.embeds[0]?.title?.startsWith('Task accepted')), 30_000, 'the DM to the member');
  say('The member gets a DM:');
  show(dm);
  await waitFor(async () => (await claimRow(task.id))?.status === 'completed', { timeoutMs: 30_000, what: 'the claim to be completed' });
  const balanceAfter = await balance(member.id);
  say(`Member's balance: ${balanceBefore} → ${balanceAfter} coins`);
  const workflowId = taskClaimWorkflowId(task.id, member.id);
  flow(workflowId);
  return { workflowIds: [workflowId], taskId: task.id, reward: REWARD, balanceBefore, balanceAfter };
}
