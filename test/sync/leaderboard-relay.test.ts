import { startLeaderboardRelay } from '../../activities/sync';
import { EventHub } from '../../lib/events/hub';
import { createLogger } from '../../lib/logger';
import { syncStatusQuery } from '../../lib/flows/sync';
import { fund, item, startPurchase, startShopEnv, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, signal, syncRow, useChannel, endFlows } from './helpers';

/**
 * Ledger changes reach the leaderboard panel with nobody signalling by hand: the events trigger records
 * each entry, the API's hub reads it, the relay signals sync:leaderboard:{guild}:{asset} — throttled, so
 * a burst of transfers is a few signals and fewer edits.
 */
jest.setTimeout(60_000);

/** The relay's throttle in this test: at most one signal per panel per half second. */
const MIN_INTERVAL_MS = 500;

let env: ShopEnv;
let hub: EventHub;
let stopRelay: () => void;

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  const log = createLogger({ level: 'silent' });
  hub = new EventHub({ databaseUrl: env.db.url, log, pollMs: 100 });
  await hub.start();
  stopRelay = startLeaderboardRelay({ hub, prisma: env.prisma, temporal: env.temporal.client, taskQueue: env.taskQueue, log, settings: FAST_SYNC, minIntervalMs: MIN_INTERVAL_MS, cacheMs: 0 });
});
afterAll(async () => {
  stopRelay?.();
  await hub?.stop();
  if (env) await endFlows(env);
  await env?.close();
});

it('a transfer posts and then updates the panel; a burst of 20 transfers is a few signals and edits', async () => {
  await useChannel(env, 'leaderboard', env.demo.channels.general, { asset: 'currency', size: 5 });
  const entityId = `${env.demo.guild.id}:currency`;
  const u = env.discord.createUser({ username: 'relay-rich' });
  env.discord.addMember(env.demo.guild.id, u.id);
  await fund(env, u.id, 40n);
  const row = await eventually(async () => {
    const r = await syncRow(env, 'leaderboard', entityId);
    return r?.state === 'synced' ? r : null;
  }, 'the panel posted by a ledger change');
  expect(env.discord.message(row.messageId!)!.embeds[0]!.description).toContain(`<@${u.id}> — 🪙 40 Coins`);

  const handle = env.temporal.client.workflow.getHandle(`sync:leaderboard:${entityId}`);
  const before = await handle.query(syncStatusQuery);
  const t0 = Date.now();
  for (let i = 0; i < 20; i += 1) await fund(env, u.id, 1n);
  await eventually(() => env.discord.message(row.messageId!)?.embeds[0]?.description?.includes('🪙 60 Coins'), 'the final balance', 15_000);
  // Settled: no new signal for two relay intervals (a trailing one comes within one).
  let after = await handle.query(syncStatusQuery);
  let lastSignalSeenAt = Date.now();
  while (Date.now() - lastSignalSeenAt < 2 * MIN_INTERVAL_MS) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await handle.query(syncStatusQuery);
    if (now.changes !== after.changes) lastSignalSeenAt = Date.now();
    after = now;
  }
  const signals = after.changes - before.changes;
  const edits = after.edits - before.edits;
  expect(signals).toBeGreaterThanOrEqual(1);
  // At most one signal per panel per interval between the first transfer and the last signal seen: the
  // bound follows how long the burst really took, so a loaded machine does not fail it.
  expect(signals).toBeLessThanOrEqual(Math.floor((lastSignalSeenAt - t0) / MIN_INTERVAL_MS) + 1);
  expect(edits).toBeLessThanOrEqual(signals);
  process.stdout.write(`[leaderboard relay] 20 transfers → ${signals} signals → ${edits} edits\n`);
});

it('a purchase taking stock updates the item’s post (no hook in the purchase flow needed)', async () => {
  await useChannel(env, 'shop_item', env.demo.channels.shop.id);
  const it_ = await item(env, { name: 'Relay gem', price: 5n, stock: 3 });
  await signal(env, 'shop_item', String(it_.id));
  const row = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(it_.id));
    return r?.state === 'synced' ? r : null;
  }, 'the post');
  const stock = () => env.discord.message(row.messageId!)?.embeds[0]?.fields?.find((f) => f.name === 'Stock')?.value;
  expect(stock()).toBe('3');
  const buyer = env.discord.createUser({ username: 'relay-buyer' });
  env.discord.addMember(env.demo.guild.id, buyer.id);
  await fund(env, buyer.id, 50n);
  await (await startPurchase(env, { itemId: it_.id, userId: buyer.id })).result();
  await eventually(() => stock() === '2', 'the stock on the post', 10_000);
});
