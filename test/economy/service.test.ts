import {
  adjustBalance,
  claimDaily,
  DailyCooldownError,
  DEFAULT_ECONOMY_SETTINGS,
  formatDuration,
  getEconomySettings,
  give,
  RateLimitedError,
  updateEconomySettings,
} from '../../activities/economy';
import { InsufficientFundsError, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { transactionLedger } from '../../activities/ledger/ledger';
import { inTransaction } from '../../prisma/transactions';
import { checkRateLimit, recordRateLimitHit } from '../../lib/rate-limit';
import { waitFor } from '../../lib/wait';
import type { PrismaClient } from '../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../helpers/ledger';

/** The economy's functions on a real database, below the bot and the API. */
let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url, 16));
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

/** Cooldowns run on the database's clock: wait until it has passed `at`. */
const dbClockPast = (at: Date) =>
  waitFor(
    async () => {
      const rows = await prisma.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
      return rows[0]!.now > at;
    },
    { timeoutMs: 10_000, intervalMs: 25, what: `the database clock to pass ${at.toISOString()}` },
  );
const seconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);

const balanceOf = async (guildId: string, user: string) => (await ledger.balance(guildId, userAccount(user), 'currency')).balance;

describe('transactionLedger (the ledger inside a caller’s transaction)', () => {
  it('commits and rolls back with the caller’s transaction', async () => {
    const guildId = await createGuild(prisma);
    const alice = snowflake();
    await inTransaction(prisma, async (client) => {
      await transactionLedger(client).transfer({
        guildId, key: `t:${guildId}:1`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(alice), amount: 5n,
      });
    });
    await expect(
      inTransaction(prisma, async (client) => {
        await transactionLedger(client).transfer({
          guildId, key: `t:${guildId}:2`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(alice), amount: 7n,
        });
        throw new Error('crash after the movement');
      }),
    ).rejects.toThrow('crash after the movement');
    expect(await balanceOf(guildId, alice)).toBe(5n);
    expect(await ledger.entry(`t:${guildId}:2`)).toBeNull();
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('a refused movement leaves the transaction usable, and a new guild’s assets are created inside it', async () => {
    const guildId = await createGuild(prisma); // no assets yet: the first movement creates them
    const alice = snowflake();
    const bob = snowflake();
    const result = await inTransaction(prisma, async (client) => {
      const tl = transactionLedger(client);
      const refused = await tl
        .transfer({ guildId, key: `t:${guildId}:r`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 1n })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(InsufficientFundsError);
      return tl.transfer({ guildId, key: `t:${guildId}:ok`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(bob), amount: 3n });
    });
    expect(result.replayed).toBe(false);
    expect(await balanceOf(guildId, bob)).toBe(3n);
    expect(await ledger.entry(`t:${guildId}:r`)).toBeNull();
  });
});

describe('settings', () => {
  it('defaults equal the schema’s column defaults', async () => {
    const guildId = await createGuild(prisma);
    expect(await getEconomySettings(prisma, guildId)).toEqual(DEFAULT_ECONOMY_SETTINGS);
    await prisma.economySettings.create({ data: { guildId } });
    expect(await getEconomySettings(prisma, guildId)).toEqual(DEFAULT_ECONOMY_SETTINGS);
  });

  it('updates with validation and an audit event; bad input changes nothing', async () => {
    const guildId = await createGuild(prisma);
    const actor = { type: 'user' as const, id: snowflake() };
    const { settings, currency } = await updateEconomySettings(prisma, { guildId, actor, change: { dailyAmount: 250n, currencyName: 'Bells', currencyEmoji: '🔔' } });
    expect(settings).toEqual({ ...DEFAULT_ECONOMY_SETTINGS, dailyAmount: 250n });
    expect([currency.name, currency.emoji]).toEqual(['Bells', '🔔']);
    const audit = await prisma.auditEvent.findMany({ where: { guildId } });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId, a.data])).toEqual([
      ['economy_settings.updated', 'user', `discord:${actor.id}`, { dailyAmount: '250', currencyName: 'Bells', currencyEmoji: '🔔' }],
    ]);

    for (const [change, message] of [
      [{ dailyAmount: -1n }, 'The daily amount cannot be negative.'],
      [{ dailyCooldownSeconds: 0 }, 'The daily cooldown must be a whole number from 1 to 31,536,000 seconds.'],
      [{ adminAdjustLimitPerMinute: 0, dailyAmount: 5n }, 'The admin adjust limit must be a whole number from 1 to 60 changes per minute.'],
      [{ currencyName: '  ' }, 'The currency name cannot be empty.'],
      [{}, 'Give at least one setting to change.'],
      [{ bogus: 1 }, 'Unknown setting: bogus.'],
    ] as const) {
      await expect(updateEconomySettings(prisma, { guildId, actor, change })).rejects.toThrow(message);
    }
    expect((await getEconomySettings(prisma, guildId)).dailyAmount).toBe(250n);
    expect(await prisma.auditEvent.count({ where: { guildId } })).toBe(1);
  });
});

describe('daily', () => {
  it('pays, refuses within the cooldown, grows the streak bonus and resets it after the grace', async () => {
    const guildId = await createGuild(prisma);
    const user = snowflake();
    const actor = { type: 'system' as const, id: 'test' };
    await updateEconomySettings(prisma, {
      guildId,
      actor,
      change: { dailyAmount: 100n, dailyCooldownSeconds: 1, dailyStreakBonus: 10n, dailyStreakMax: 2, dailyStreakGraceSeconds: 1 },
    });
    const first = await claimDaily(prisma, { guildId, userId: user });
    expect([first.amount, first.streak, first.claimNumber, first.balance]).toEqual([100n, 1, 1, 100n]);
    expect(first.entry.key).toBe(`daily:${guildId}:${user}:1`);

    const early = await claimDaily(prisma, { guildId, userId: user }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(DailyCooldownError);
    expect((early as Error).message).toMatch(/^You already claimed your daily reward\. Come back in 1s \(<t:\d+:R>\)\.$/);

    const paid = [first.amount];
    let last = first;
    for (let i = 0; i < 3; i += 1) {
      await dbClockPast(last.nextClaimAt);
      last = await claimDaily(prisma, { guildId, userId: user });
      paid.push(last.amount);
    }
    // Bonus grows by 10 per consecutive claim up to streakMax (2) bonuses.
    expect(paid).toEqual([100n, 110n, 120n, 120n]);
    await dbClockPast(seconds(last.nextClaimAt, 1)); // past cooldown (1 s) + grace (1 s)
    const reset = await claimDaily(prisma, { guildId, userId: user });
    expect([reset.amount, reset.streak, reset.claimNumber]).toEqual([100n, 1, 5]);
    expect(await balanceOf(guildId, user)).toBe(550n);
    const row = await prisma.dailyClaim.findUniqueOrThrow({ where: { guildId_userId: { guildId, userId: user } } });
    expect([row.streak, row.claims]).toEqual([1, 5]);
  });

  it('20 concurrent first claims by one member pay exactly once', async () => {
    const guildId = await createGuild(prisma);
    const user = snowflake();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => claimDaily(prisma, { guildId, userId: user })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DailyCooldownError);
    expect(await balanceOf(guildId, user)).toBe(DEFAULT_ECONOMY_SETTINGS.dailyAmount);
    expect((await ledger.entries({ guildId, type: 'daily' })).items).toHaveLength(1);
  });

  it('a failed payment leaves no claim behind', async () => {
    const guildId = await createGuild(prisma);
    const user = snowflake();
    // The key of claim 1 already used for something else: the movement is refused, so is the claim.
    await ledger.transfer({
      guildId, key: `daily:${guildId}:${user}:1`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(snowflake()), amount: 1n,
    });
    await expect(claimDaily(prisma, { guildId, userId: user })).rejects.toThrow(/idempotency key/);
    expect(await prisma.dailyClaim.count({ where: { guildId } })).toBe(0);
    expect(await balanceOf(guildId, user)).toBe(0n);
  });
});

describe('give', () => {
  it('refuses self, bots, non-members, non-positive and over-balance amounts, changing nothing', async () => {
    const guildId = await createGuild(prisma);
    const [alice, bob] = [snowflake(), snowflake()];
    await fund(ledger, guildId, alice, 50n);
    const member = { id: bob, bot: false, member: true };
    const attempt = (over: Partial<Parameters<typeof give>[1]>) =>
      give(ledger, { guildId, fromUserId: alice, to: member, amount: 10n, interactionId: snowflake(), ...over }).catch((e: Error) => e.message);
    expect(await attempt({ to: { ...member, id: alice } })).toBe('You cannot give Coins to yourself.');
    expect(await attempt({ to: { ...member, bot: true } })).toBe('Bots cannot hold Coins; choose a member.');
    expect(await attempt({ to: { ...member, member: false } })).toBe(`<@${bob}> is not a member of this server.`);
    expect(await attempt({ amount: 0n })).toBe('The amount must be a positive number of Coins.');
    expect(await attempt({ amount: -5n })).toBe('The amount must be a positive number of Coins.');
    expect(await attempt({ amount: 51n })).toBe('You have 🪙 50 Coins, not enough to give 🪙 51 Coins. Nothing was sent.');
    expect([await balanceOf(guildId, alice), await balanceOf(guildId, bob)]).toEqual([50n, 0n]);
    expect((await ledger.entries({ guildId, type: 'give' })).items).toHaveLength(0);
  });

  it('the same interaction 10× at once moves the money once', async () => {
    const guildId = await createGuild(prisma);
    const [alice, bob] = [snowflake(), snowflake()];
    await fund(ledger, guildId, alice, 50n);
    const interactionId = snowflake();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => give(ledger, { guildId, fromUserId: alice, to: { id: bob, bot: false, member: true }, amount: 30n, interactionId })),
    );
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.fromBalance === 20n && r.toBalance === 30n)).toBe(true);
    expect([await balanceOf(guildId, alice), await balanceOf(guildId, bob)]).toEqual([20n, 30n]);
    expect((await ledger.entries({ guildId, type: 'give' })).items).toHaveLength(1);
  });
});

describe('adjust and its rate limit', () => {
  const admin = { type: 'user' as const, id: '400000000000000001' };

  it('adds and removes with a reason, never below zero, audited', async () => {
    const guildId = await createGuild(prisma);
    const user = snowflake();
    const base = { guildId, actor: admin, userId: user, reason: 'event prize' };
    const added = await adjustBalance(prisma, { ...base, amount: 40n, key: 'a1' });
    expect([added.balance, added.entry.type, added.entry.reason, added.entry.actor]).toEqual([40n, 'admin_adjust', 'event prize', admin]);
    const removed = await adjustBalance(prisma, { ...base, amount: -15n, reason: 'typo', key: 'a2' });
    expect(removed.balance).toBe(25n);
    await expect(adjustBalance(prisma, { ...base, amount: -26n, key: 'a3' })).rejects.toThrow(
      `<@${user}> has 🪙 25 Coins: removing 🪙 26 Coins would take them below zero. Nothing was changed.`,
    );
    await expect(adjustBalance(prisma, { ...base, amount: 0n, key: 'a4' })).rejects.toThrow('The amount cannot be 0.');
    await expect(adjustBalance(prisma, { ...base, amount: 5n, reason: ' ', key: 'a5' })).rejects.toThrow('Give a reason');
    expect(await balanceOf(guildId, user)).toBe(25n);
    // Refusals used no budget: two changes made, two hits.
    expect(await prisma.rateLimitHit.count({ where: { key: `economy.adjust:${guildId}:discord:${admin.id}` } })).toBe(2);
    const audit = await prisma.auditEvent.findMany({ where: { guildId, action: 'economy.balance_adjusted' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => (a.data as { amount: string }).amount)).toEqual(['40', '-15']);
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('the 6th change within a minute is refused with the time left and changes nothing; a replay is free', async () => {
    const guildId = await createGuild(prisma);
    const user = snowflake();
    const base = { guildId, actor: admin, userId: user, reason: 'r', amount: 1n };
    // 10 concurrent changes: exactly 5 pass (the advisory lock serialises the count).
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => adjustBalance(prisma, { ...base, key: `k${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(RateLimitedError);
        expect((r.reason as Error).message).toMatch(/^You can make at most 5 balance changes per minute\. Try again in (60|59|58|57) s\. Nothing was changed\.$/);
      }
    }
    expect(await balanceOf(guildId, user)).toBe(5n);
    const done = results.findIndex((r) => r.status === 'fulfilled');
    const replay = await adjustBalance(prisma, { ...base, key: `k${done}` });
    expect(replay.replayed).toBe(true);
    // Another admin has a budget of their own.
    await adjustBalance(prisma, { ...base, actor: { type: 'user', id: '400000000000000002' }, key: 'other' });
    expect(await balanceOf(guildId, user)).toBe(6n);
    expect((await ledger.entries({ guildId, type: 'admin_adjust' })).items).toHaveLength(6);
  });
});

describe('checkRateLimit', () => {
  it('frees a slot when the oldest hit leaves the window, and says when', async () => {
    const key = `test:${snowflake()}`;
    const rule = { key, limit: 2, windowSeconds: 1 };
    const take = () =>
      inTransaction(prisma, async (client) => {
        const d = await checkRateLimit(client, rule);
        if (d.allowed) await recordRateLimitHit(client, key);
        return d;
      });
    expect(await take()).toEqual({ allowed: true, used: 0 });
    expect(await take()).toEqual({ allowed: true, used: 1 });
    expect(await take()).toEqual({ allowed: false, used: 2, retryAfterSeconds: 1 });
    const oldest = await prisma.rateLimitHit.findFirstOrThrow({ where: { key }, orderBy: { createdAt: 'asc' } });
    const newest = await prisma.rateLimitHit.findFirstOrThrow({ where: { key }, orderBy: { createdAt: 'desc' } });
    await dbClockPast(seconds(oldest.createdAt, 1));
    expect(await take()).toMatchObject({ allowed: true });
    await dbClockPast(seconds(newest.createdAt, 1));
    expect(await take()).toMatchObject({ allowed: true });
    // Hits that left the window are deleted on the way.
    const left = await prisma.rateLimitHit.findMany({ where: { key } });
    expect(left.map((h) => h.id)).not.toContain(oldest.id);
    expect(left.map((h) => h.id)).not.toContain(newest.id);
  });
});

it('formatDuration reads like a person wrote it', () => {
  expect([0, 1, 59.2, 61, 3600, 3661, 86_399, 86_400, 90_061].map(formatDuration)).toEqual(['0s', '1s', '1m', '1m 1s', '1h', '1h 1m', '23h 59m', '1d', '1d 1h']);
});
