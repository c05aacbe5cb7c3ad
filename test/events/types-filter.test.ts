import { randomUUID } from 'node:crypto';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { addItem, editItem } from '../../activities/shop';
import { EVENT_KINDS, parseEventKinds } from '../../lib/events/kinds';
import { createLogger } from '../../lib/logger';
import type { TestDatabase } from '../helpers/database';
import { startEventsApi, type EventsApi } from './events-api';
import { connectSse, type SseClient, type SseEvent } from './sse-client';

/**
 * `GET …/events?types=`: a stream limited to some kinds of event carries only those, live and when it
 * resumes with Last-Event-ID; an unknown kind is a 400 naming the valid ones; without `types` every kind
 * comes as before (an unfiltered stream beside each filtered one proves the left-out events were there).
 */
jest.setTimeout(60_000);

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
let db: TestDatabase;
let api: EventsApi;
let url: string;
let guildId: string;
let admin: string;
const clients: SseClient[] = [];
const member = '300000000000009001';

beforeAll(async () => {
  api = await startEventsApi(log);
  ({ db, guildId, admin, url } = api);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(() => api?.close());

async function stream(query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await connectSse(`${url}${query}`, { authorization: `Bearer ${admin}`, ...headers });
  clients.push(c);
  expect(c.status).toBe(200);
  return c;
}

const ledger = () => createLedger(db.prisma);
/** A ledger movement to the member, recognisable by its amount. */
const move = (amount: number) =>
  ledger().transfer({ guildId, key: `types:${randomUUID()}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(member), amount: BigInt(amount) });
const actor = { actorType: 'system', actorId: 'test' } as const;
/** Events proper (with an id), not the comments (connected, heartbeats) the client also reports. */
const sent = (c: SseClient) => c.events.filter((e) => e.id !== undefined);
const payload = (e: SseEvent) => (e.id === undefined ? { data: {} } : (JSON.parse(e.data) as { data: { itemId?: unknown; stock?: number; moves?: { ownerId: string; amount: string }[] } }));
const amountOf = (e: SseEvent) => payload(e).data.moves?.find((m) => m.ownerId === member)?.amount;
const kindsOf = (c: SseClient) => [...new Set(sent(c).map((e) => e.event))].sort();

describe('parseEventKinds', () => {
  it('reads a comma-separated list, also repeated, and no list as every kind', () => {
    expect(parseEventKinds(undefined)).toBeNull();
    expect([...parseEventKinds('balance, shop_item')!].sort()).toEqual(['balance', 'shop_item']);
    expect([...parseEventKinds(['purchase', 'sync,balance'])!].sort()).toEqual(['balance', 'purchase', 'sync']);
    expect(() => parseEventKinds('ledger')).toThrow(/Unknown event type "ledger"; the types are balance, shop_item, purchase, sync, task, task_claim, order, topup, inventory, verification/);
    expect(() => parseEventKinds(',')).toThrow(/types parameter is empty.*leave it out/);
  });
});

it('an unknown type is a 400 listing the valid ones, before any stream opens', async () => {
  for (const query of ['?types=ledger,shop', '?types=balance,nope', '?types=']) {
    const res = await fetch(`${url}${query}`, { headers: { authorization: `Bearer ${admin}` } });
    const body = (await res.json()) as { error: { code: string; message: string; details: { validTypes: string[] } } };
    expect({ query, status: res.status, code: body.error.code, validTypes: body.error.details.validTypes }).toEqual({ query, status: 400, code: 'invalid_input', validTypes: [...EVENT_KINDS] });
  }
  const res = await fetch(`${url}?types=ledger,shop`, { headers: { authorization: `Bearer ${admin}` } });
  expect(((await res.json()) as { error: { message: string } }).error.message).toBe('Unknown event types "ledger", "shop"; the types are balance, shop_item, purchase, sync, task, task_claim, order, topup, inventory, verification.');
});

it('a live stream with types=shop_item gets the shop changes and none of the balance movements made between them', async () => {
  const all = await stream();
  const shopOnly = await stream('?types=shop_item');
  const item = await addItem(db.prisma, guildId, { name: `Filter ${randomUUID().slice(0, 6)}`, price: 5n, stock: 3 }, actor);
  await move(11);
  await editItem(db.prisma, guildId, item.id, { stock: 2 }, actor);
  // Events reach a stream in id order: once the edit is there, the movement before it was handed out too.
  const isEdit = (e: SseEvent) => e.event === 'shop_item' && payload(e).data.itemId === item.id && payload(e).data.stock === 2;
  await all.waitFor(isEdit, 10_000, 'the stock edit, unfiltered');
  await shopOnly.waitFor(isEdit, 10_000, 'the stock edit, filtered');
  expect(all.events.some((e) => e.event === 'balance' && amountOf(e) === '11')).toBe(true);
  expect(kindsOf(shopOnly)).toEqual(['shop_item']);
  expect(sent(shopOnly).filter((e) => payload(e).data.itemId === item.id).map((e) => e.id)).toEqual(all.events.filter((e) => e.event === 'shop_item' && payload(e).data.itemId === item.id).map((e) => e.id));
});

it('resuming with types=balance replays only the movements made while away, then goes on live, without the shop changes', async () => {
  const first = await stream('?types=balance');
  await move(21);
  const last = await first.waitFor((e) => amountOf(e) === '21', 10_000, 'the first movement');
  first.close();

  // Away: movements and shop changes interleaved.
  const item = await addItem(db.prisma, guildId, { name: `Away ${randomUUID().slice(0, 6)}`, price: 5n, stock: 3 }, actor);
  await move(22);
  await editItem(db.prisma, guildId, item.id, { stock: 1 }, actor);
  await move(23);
  const shopWhileAway = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM events WHERE guild_id = $1 AND kind = 'shop_item' AND id > $2`, guildId, BigInt(last.id!));
  expect(Number(shopWhileAway[0]!.n)).toBe(2);

  const resumed = await stream('?types=balance', { 'last-event-id': last.id! });
  const all = await stream('', { 'last-event-id': last.id! });
  await move(24);
  await resumed.waitFor((e) => amountOf(e) === '24', 10_000, 'the live movement after the replay');
  await all.waitFor((e) => amountOf(e) === '24', 10_000, 'the live movement, unfiltered');
  expect(sent(resumed).map(amountOf)).toEqual(['22', '23', '24']);
  expect(kindsOf(resumed)).toEqual(['balance']);
  // The unfiltered resume has the same movements plus the shop changes the filter left out.
  expect(all.events.filter((e) => e.event === 'balance').map((e) => e.id)).toEqual(sent(resumed).map((e) => e.id));
  expect(all.events.filter((e) => e.event === 'shop_item')).toHaveLength(2);
});

it('several types: types=balance,shop_item carries both and nothing else', async () => {
  const both = await stream('?types=balance,shop_item');
  const item = await addItem(db.prisma, guildId, { name: `Both ${randomUUID().slice(0, 6)}`, price: 5n, stock: 1 }, actor);
  await move(31);
  await both.waitFor((e) => amountOf(e) === '31', 10_000, 'the movement');
  await both.waitFor((e) => e.event === 'shop_item' && payload(e).data.itemId === item.id, 10_000, 'the new item');
  expect(kindsOf(both)).toEqual(['balance', 'shop_item']);
});
