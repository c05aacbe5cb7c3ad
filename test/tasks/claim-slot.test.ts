import { claimTask } from '../../activities/tasks';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * claimTask on its own (one call of the task_claim function): the same claim id twice at once takes one
 * slot and answers the same claim twice; one member's claims racing past the active-task limit, and
 * members racing for the last slots, never take more than allowed; every refusal leaves the rows as they
 * were. (test/tasks/claim-flow.test.ts covers the claim through the bot and its workflow.)
 */
jest.setTimeout(60_000);

const GUILD = '100000000000000071';
let db: TestDatabase;
let memberSeq = 0;
const newMember = () => String(300000000000000700n + BigInt((memberSeq += 1)));

beforeAll(async () => {
  db = await createTestDatabase();
  await db.prisma.guild.create({ data: { id: GUILD, name: 'Claims', ownerId: '200000000000000071', taskSettings: { create: { maxActivePerUser: 2 } } } });
});
afterAll(() => db?.drop());

const createTask = (data: { maxClaims?: number; status?: string; assignedUserIds?: string[]; expiresAt?: Date } = {}) =>
  db.prisma.task.create({ data: { guildId: GUILD, name: 'Sweep', reward: 5n, claimDurationSeconds: 600, createdBy: 'test', ...data } });
const claim = (taskId: number, userId: string, claimId = `task:${taskId}:${userId}`) => claimTask(db.prisma, { claimId, guildId: GUILD, taskId, userId });
const rows = async (taskId: number) => ({
  slots: (await db.prisma.task.findUniqueOrThrow({ where: { id: taskId } })).slotsTaken,
  claims: await db.prisma.taskClaim.count({ where: { taskId } }),
});

it('takes a slot: the claim stored with its deadline, the counter +1, the task details answered', async () => {
  const task = await createTask({ maxClaims: 5 });
  const userId = newMember();
  const before = Date.now();
  const result = await claim(task.id, userId);
  if (!result.ok) throw new Error(result.reason);
  expect(result).toMatchObject({ replayed: false, claim: { taskId: task.id, userId, taskName: 'Sweep', reward: 5n, assetCode: 'currency', slotsTaken: 1, proofType: 'text' } });
  const stored = await db.prisma.taskClaim.findUniqueOrThrow({ where: { id: `task:${task.id}:${userId}` } });
  expect(stored).toMatchObject({ status: 'claimed', userId, guildId: GUILD });
  expect(stored.deadlineAt.getTime()).toBe(result.claim.deadlineAt.getTime());
  expect(result.claim.deadlineAt.getTime()).toBeGreaterThanOrEqual(before + 600_000 - 5_000);
  expect(await rows(task.id)).toEqual({ slots: 1, claims: 1 });
});

it('the same claim id twice at once: one slot taken, both answers carry the same claim, one of them replayed', async () => {
  const task = await createTask({ maxClaims: 5 });
  const userId = newMember();
  const [a, b] = await Promise.all([claim(task.id, userId), claim(task.id, userId)]);
  if (!a.ok || !b.ok) throw new Error('both attempts should answer the claim');
  expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
  expect(a.claim.deadlineAt.getTime()).toBe(b.claim.deadlineAt.getTime());
  expect(await rows(task.id)).toEqual({ slots: 1, claims: 1 });
});

it('one member claiming three tasks at once with a limit of 2: exactly 2 taken, the third refused by the limit', async () => {
  const tasks = await Promise.all([createTask(), createTask(), createTask()]);
  const userId = newMember();
  const results = await Promise.all(tasks.map((t) => claim(t.id, userId)));
  expect(results.filter((r) => r.ok)).toHaveLength(2);
  expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ code: 'active_limit' })]);
  expect(await db.prisma.taskClaim.count({ where: { userId } })).toBe(2);
});

it('ten members racing for 3 slots: exactly 3 claims, 7 told it is full', async () => {
  const task = await createTask({ maxClaims: 3 });
  const results = await Promise.all(Array.from({ length: 10 }, () => claim(task.id, newMember())));
  expect(results.filter((r) => r.ok)).toHaveLength(3);
  expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(Array(7).fill('task_full'));
  expect(await rows(task.id)).toEqual({ slots: 3, claims: 3 });
});

it('refusals change nothing: unknown, proposed, closed, expired, assigned to others, claimed before', async () => {
  const userId = newMember();
  const proposed = await createTask({ status: 'proposed' });
  const closed = await createTask({ status: 'closed' });
  const expired = await createTask({ expiresAt: new Date(Date.now() - 1000) });
  const assigned = await createTask({ assignedUserIds: ['300000000000000999'] });
  const once = await createTask();
  expect(await claim(once.id, userId)).toMatchObject({ ok: true });
  await db.prisma.taskClaim.update({ where: { id: `task:${once.id}:${userId}` }, data: { status: 'abandoned' } });

  expect(await claim(999_999, userId)).toMatchObject({ ok: false, code: 'task_not_found' });
  expect(await claim(proposed.id, userId)).toMatchObject({ ok: false, code: 'task_not_open', reason: expect.stringContaining('proposal') });
  expect(await claim(closed.id, userId)).toMatchObject({ ok: false, code: 'task_not_open', reason: expect.stringContaining('not taking claims') });
  expect(await claim(expired.id, userId)).toMatchObject({ ok: false, code: 'task_not_open' });
  expect(await claim(assigned.id, userId)).toMatchObject({ ok: false, code: 'not_assigned' });
  expect(await claim(once.id, userId, 'another-claim-id')).toMatchObject({ ok: false, code: 'already_claimed', reason: expect.stringContaining('abandoned') });
  for (const t of [proposed, closed, expired, assigned]) expect(await rows(t.id)).toEqual({ slots: 0, claims: 0 });
  expect(await rows(once.id)).toEqual({ slots: 1, claims: 1 });
});

it('a guild without task settings yet gets the defaults on its first claim', async () => {
  const guildId = '100000000000000072';
  await db.prisma.guild.create({ data: { id: guildId, name: 'Fresh', ownerId: '200000000000000072' } });
  const task = await db.prisma.task.create({ data: { guildId, name: 'First', reward: 1n, claimDurationSeconds: 60, createdBy: 'test' } });
  const userId = newMember();
  expect(await claimTask(db.prisma, { claimId: `task:${task.id}:${userId}`, guildId, taskId: task.id, userId })).toMatchObject({ ok: true });
  expect(await db.prisma.taskSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ maxActivePerUser: 3 });
});
