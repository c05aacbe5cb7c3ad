import { randomUUID } from 'node:crypto';
import { addItem, applyInventoryMovement } from '../../activities/shop';
import { claimTask, createTask, endClaim } from '../../activities/tasks';
import { EVENT_KINDS } from '../../lib/events/kinds';
import { createLogger } from '../../lib/logger';
import type { TestDatabase } from '../helpers/database';
import { startEventsApi, type EventsApi } from './events-api';
import { connectSse, type SseClient, type SseEvent } from './sse-client';

/**
 * The kinds from migration more_live_events (task, task_claim, order, topup, inventory, verification): each
 * reaches a stream limited to it when its row is created or changes status, never a stream limited to
 * another kind, and carries only ids, statuses, amounts and counts (the keys are asserted exactly, so a
 * code, a QR string, a proof or a reason cannot slip in).
 */
jest.setTimeout(60_000);

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
let db: TestDatabase;
let api: EventsApi;
let url: string;
let guildId: string;
let admin: string;
const clients: SseClient[] = [];
const member = '300000000000009101';
const actor = { actorType: 'system', actorId: 'test' } as const;

beforeAll(async () => {
  api = await startEventsApi(log);
  ({ db, guildId, admin, url } = api);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => api?.close());

async function stream(types: string): Promise<SseClient> {
  const c = await connectSse(`${url}?types=${types}`, { authorization: `Bearer ${admin}` });
  clients.push(c);
  expect(c.status).toBe(200);
  return c;
}
/** The data of an event proper; comments (connected, heartbeats) have none. */
const dataOf = (e: SseEvent) => (e.id === undefined ? {} : (JSON.parse(e.data) as { data: Record<string, unknown> }).data);
const sent = (c: SseClient) => c.events.filter((e) => e.id !== undefined);

/**
 * Opens a stream of `kind` and one of `other`, makes the change, waits for the event of `kind` matching
 * `match`, and checks its keys; then a `sync` event written after it (through the same trigger path)
 * proves the `other` stream has seen everything up to there without the event.
 */
async function expectDelivered(kind: string, change: () => Promise<void>, match: (d: Record<string, unknown>) => boolean, keys: string[]) {
  const other = kind === 'order' ? 'topup' : 'order';
  const own = await stream(kind);
  const foreign = await stream(`${other},sync`);
  await change();
  const e = await own.waitFor((ev) => ev.event === kind && match(dataOf(ev)), 10_000, `the ${kind} event`);
  expect(Object.keys(dataOf(e)).sort()).toEqual([...keys].sort());
  const marker = `marker-${randomUUID()}`;
  await db.prisma.syncMessage.create({ data: { entityType: 'test_marker', entityId: marker, guildId } });
  await foreign.waitFor((ev) => ev.event === 'sync' && dataOf(ev).entityId === marker, 10_000, 'the marker after it');
  expect(sent(foreign).filter((ev) => ev.event === kind)).toEqual([]);
  expect(sent(own).every((ev) => ev.event === kind)).toBe(true);
  own.close();
  foreign.close();
  return e;
}

it('accepts the new kinds in ?types=', () => {
  expect(EVENT_KINDS).toEqual(expect.arrayContaining(['task', 'task_claim', 'order', 'topup', 'inventory', 'verification']));
});

it('task and task_claim: a task created, a claim taken and ended', async () => {
  const taskKeys = ['taskId', 'op', 'status', 'reward', 'assetCode', 'maxClaims', 'slotsTaken', 'completedCount', 'expiredCount'];
  let taskId = 0;
  const created = await expectDelivered(
    'task',
    async () => {
      taskId = (await createTask(db.prisma, guildId, { name: 'Live task', reward: 7n, claimDurationSeconds: 3600, maxClaims: 2 }, { ...actor, createdBy: member })).id;
    },
    (d) => d.taskId === taskId,
    taskKeys,
  );
  expect(dataOf(created)).toMatchObject({ op: 'insert', status: 'active', reward: '7', maxClaims: 2, slotsTaken: 0 });

  const claimId = `task:${taskId}:${member}`;
  const claimKeys = ['claimId', 'taskId', 'userId', 'status', 'submissions', 'rewardPaid'];
  const taken = await expectDelivered(
    'task_claim',
    async () => {
      expect((await claimTask(db.prisma, { claimId, guildId, taskId, userId: member })).ok).toBe(true);
    },
    (d) => d.claimId === claimId && d.status === 'claimed',
    claimKeys,
  );
  expect(dataOf(taken)).toMatchObject({ taskId, userId: member, submissions: 0, rewardPaid: null });
  // The claim took a slot: the task's stream hears it.
  const slot = await stream('task');
  await expectDelivered('task_claim', async () => void (await endClaim(db.prisma, { claimId, status: 'abandoned' })), (d) => d.claimId === claimId && d.status === 'abandoned', claimKeys);
  await slot.waitFor((e) => dataOf(e).taskId === taskId && dataOf(e).slotsTaken === 0 && dataOf(e).op === 'update', 10_000, 'the slot given back');
});

it('order: a code order created and completed, without its codes', async () => {
  const pkg = await db.prisma.codePackage.create({ data: { guildId, quantity: 1, price: 50n } });
  const id = `order-${randomUUID()}`;
  const keys = ['orderId', 'userId', 'packageId', 'quantity', 'price', 'assetCode', 'status', 'deliveredVia'];
  await expectDelivered('order', async () => void (await db.prisma.codeOrder.create({ data: { id, guildId, userId: member, packageId: pkg.id, quantity: 1, price: 50n, assetCode: 'currency', requestKey: id } })), (d) => d.orderId === id, keys);
  const done = await expectDelivered('order', async () => void (await db.prisma.codeOrder.update({ where: { id }, data: { status: 'completed', deliveredVia: 'dm' } })), (d) => d.orderId === id && d.status === 'completed', keys);
  expect(dataOf(done)).toMatchObject({ price: '50', quantity: 1, deliveredVia: 'dm' });
});

it('topup: a payment created and its QR shown, without its QR string, URL or gateway transaction id', async () => {
  const id = `topup-${randomUUID()}`;
  const keys = ['paymentId', 'userId', 'provider', 'amount', 'currency', 'credit', 'assetCode', 'status'];
  await expectDelivered(
    'topup',
    async () => void (await db.prisma.payment.create({ data: { id, guildId, userId: member, provider: 'midtrans', amount: 10_000n, credit: 100n, assetCode: 'currency', requestKey: id } })),
    (d) => d.paymentId === id && d.status === 'created',
    keys,
  );
  const pending = await expectDelivered(
    'topup',
    async () => void (await db.prisma.payment.update({ where: { id }, data: { status: 'pending', qrString: 'SECRET-QR', qrUrl: 'https://pay.example/secret', providerTransactionId: `tx-${id}` } })),
    (d) => d.paymentId === id && d.status === 'pending',
    keys,
  );
  expect(JSON.stringify(dataOf(pending))).not.toMatch(/SECRET|pay\.example|tx-/);
  expect(dataOf(pending)).toMatchObject({ amount: '10000', credit: '100', currency: 'IDR' });
});

it('inventory: a movement through the inventory code', async () => {
  const item = await addItem(db.prisma, guildId, { name: `Inv ${randomUUID().slice(0, 6)}`, price: 5n }, actor);
  const e = await expectDelivered(
    'inventory',
    async () => void (await applyInventoryMovement(db.prisma, { guildId, ownerId: member, itemId: item.id, delta: 3, key: `live:${randomUUID()}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, reason: 'a private note' })),
    (d) => d.itemId === item.id,
    ['movementId', 'ownerId', 'itemId', 'delta', 'type'],
  );
  expect(dataOf(e)).toMatchObject({ ownerId: member, delta: 3, type: 'admin_adjust' });
});

it('verification: a run started and ended, without its reason', async () => {
  const runId = randomUUID();
  const keys = ['runId', 'userId', 'method', 'status', 'robloxId'];
  await expectDelivered(
    'verification',
    async () => void (await db.prisma.verification.create({ data: { runId, workflowId: `verify:${guildId}:${member}`, guildId, userId: member, method: 'profile_phrase' } })),
    (d) => d.runId === runId && d.status === 'pending',
    keys,
  );
  const done = await expectDelivered(
    'verification',
    async () => void (await db.prisma.verification.update({ where: { runId }, data: { status: 'verified', robloxId: 42n, robloxName: 'Someone', reason: 'secret detail', finishedAt: new Date() } })),
    (d) => d.runId === runId && d.status === 'verified',
    keys,
  );
  expect(dataOf(done)).toMatchObject({ robloxId: '42', method: 'profile_phrase' });
});
