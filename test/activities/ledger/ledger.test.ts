import {
  EntryNotFoundError,
  HoldNotPendingError,
  IdempotencyConflictError,
  InsufficientFundsError,
  UnknownAssetError,
  systemAccount,
  userAccount,
  type Ledger,
} from '../../../activities/ledger';
import { NotFoundError, ValidationError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { available, createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url));
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const alice = snowflake();
const bob = snowflake();
const carol = snowflake();

const give = (guildId: string, from: string, to: string, amount: bigint, key = `give:${snowflake()}`) =>
  ledger.transfer({ guildId, key, type: 'give', actor: { type: 'user', id: from }, asset: 'currency', from: userAccount(from), to: userAccount(to), amount });

async function balances(guildId: string, ...users: string[]): Promise<bigint[]> {
  return Promise.all(users.map(async (u) => (await ledger.balance(guildId, userAccount(u), 'currency')).balance));
}

describe('assets', () => {
  it('ensureGuildAssets creates currency and gems once and keeps later renames', async () => {
    const guildId = await createGuild(prisma);
    const first = await ledger.ensureGuildAssets(guildId);
    expect(first.map((a) => [a.code, a.name, a.emoji])).toEqual([
      ['currency', 'Coins', '🪙'],
      ['gems', 'Gems', '💎'],
    ]);
    await ledger.updateAsset(guildId, 'currency', { name: 'Bells', emoji: '🔔' });
    const again = await Promise.all([ledger.ensureGuildAssets(guildId), ledger.ensureGuildAssets(guildId, { currency: { name: 'Other' } })]);
    for (const assets of again) {
      expect(assets.map((a) => [a.id, a.code, a.name])).toEqual([
        [first[0]!.id, 'currency', 'Bells'],
        [first[1]!.id, 'gems', 'Gems'],
      ]);
    }
  });

  it('names a new guild currency as asked', async () => {
    const guildId = await createGuild(prisma);
    const [currency] = await ledger.ensureGuildAssets(guildId, { currency: { name: 'Robux-ish', emoji: '<:rbx:123456789012345678>' } });
    expect(currency).toMatchObject({ code: 'currency', name: 'Robux-ish', emoji: '<:rbx:123456789012345678>' });
  });

  it('creates the default assets on first use, and refuses an asset the guild does not have', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 10n);
    expect((await ledger.assets(guildId)).map((a) => a.code)).toEqual(['currency', 'gems']);

    const err = await ledger
      .transfer({ guildId, key: `x:${snowflake()}`, type: 'give', actor: SYSTEM, asset: 'tokens', from: userAccount(alice), to: userAccount(bob), amount: 1n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownAssetError);
    expect(err).toMatchObject({ code: 'unknown_asset', asset: 'tokens', message: `Guild ${guildId} has no asset "tokens".` });
    await expect(ledger.balance(guildId, userAccount(alice), 'tokens')).rejects.toBeInstanceOf(UnknownAssetError);
    await expect(ledger.updateAsset(guildId, 'tokens', { name: 'T' })).rejects.toBeInstanceOf(UnknownAssetError);
    expect(await balances(guildId, alice, bob)).toEqual([10n, 0n]);
  });

  it('refuses a guild Guildflow does not know', async () => {
    await expect(ledger.ensureGuildAssets(snowflake())).rejects.toBeInstanceOf(NotFoundError);
    await expect(fund(ledger, snowflake(), alice, 1n)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('transfers', () => {
  it('moves value, returns the postings with the balances after, and validates clean', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const { entry, replayed } = await give(guildId, alice, bob, 30n, `give:${guildId}:1`);
    expect(replayed).toBe(false);
    expect(entry).toMatchObject({ key: `give:${guildId}:1`, guildId, type: 'give', status: 'posted', actor: { type: 'user', id: alice }, hold: null });
    expect(entry.postedAt).toEqual(entry.createdAt);
    expect(entry.postings.map((p) => [p.account.ownerId, p.amount, p.balanceAfter])).toEqual(
      [
        [alice, -30n, 70n],
        [bob, 30n, 30n],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 70n, held: 0n, available: 70n });
    expect(await ledger.balance(guildId, systemAccount('issuance'), 'currency')).toEqual({ balance: -100n, held: 0n, available: -100n });
    expect(await ledger.balance(guildId, userAccount(carol), 'currency')).toEqual({ balance: 0n, held: 0n, available: 0n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('refuses insufficient funds with the figures and changes nothing (even for a user never seen)', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 5n);
    const err = await give(guildId, alice, bob, 6n, `give:${guildId}:too-much`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientFundsError);
    expect(err).toMatchObject({ code: 'insufficient_funds', failureType: 'InsufficientFunds', balance: 5n, held: 0n, available: 5n, requested: 6n });
    expect((err as InsufficientFundsError).details).toMatchObject({ available: '5', requested: '6', account: { ownerType: 'user', ownerId: alice } });
    expect(await balances(guildId, alice, bob)).toEqual([5n, 0n]);
    expect(await ledger.entry(`give:${guildId}:too-much`)).toBeNull();
    // The refused key was not used up: the same movement goes through once the money is there.
    await fund(ledger, guildId, alice, 1n);
    expect((await give(guildId, alice, bob, 6n, `give:${guildId}:too-much`)).replayed).toBe(false);

    await expect(give(guildId, carol, alice, 1n)).rejects.toMatchObject({ code: 'insufficient_funds', available: 0n, requested: 1n });
    expect(await prisma.account.count({ where: { guildId, ownerId: carol } })).toBe(0);
  });

  it('lets system accounts go negative, records multi-asset movements, and refuses unbalanced ones', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 50n);
    const swap = await ledger.record({
      guildId,
      key: `swap:${guildId}`,
      type: 'purchase',
      actor: { type: 'user', id: alice },
      reason: '50 coins for 2 gems',
      refs: { orderId: 'o-1' },
      postings: [
        { account: userAccount(alice), asset: 'currency', amount: -50n },
        { account: systemAccount('sink'), asset: 'currency', amount: 50n },
        { account: systemAccount('issuance'), asset: 'gems', amount: -2n },
        { account: userAccount(alice), asset: 'gems', amount: 2n },
      ],
    });
    expect(swap.entry).toMatchObject({ reason: '50 coins for 2 gems', refs: { orderId: 'o-1' } });
    expect(swap.entry.postings).toHaveLength(4);
    expect((await ledger.balances(guildId, userAccount(alice))).map((b) => [b.asset.code, b.balance])).toEqual([
      ['currency', 0n],
      ['gems', 2n],
    ]);

    const unbalanced = ledger.record({
      guildId,
      key: `bad:${guildId}`,
      type: 'admin_adjust',
      actor: SYSTEM,
      postings: [
        { account: systemAccount('issuance'), asset: 'currency', amount: -5n },
        { account: userAccount(bob), asset: 'currency', amount: 4n },
      ],
    });
    await expect(unbalanced).rejects.toThrow(ValidationError);
    await expect(unbalanced).rejects.toThrow('The postings in currency sum to -1; each asset\'s postings must sum to zero.');
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('checks its input before going to the database', async () => {
    const guildId = await createGuild(prisma);
    const base = { guildId, key: 'k', type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 1n } as const;
    await expect(ledger.transfer({ ...base, amount: 0n })).rejects.toThrow('The transfer amount must be positive, not 0.');
    await expect(ledger.transfer({ ...base, amount: -3n })).rejects.toThrow(ValidationError);
    await expect(ledger.transfer({ ...base, to: userAccount(alice) })).rejects.toThrow('A transfer needs two different accounts.');
    await expect(ledger.transfer({ ...base, to: userAccount('bob') })).rejects.toThrow(/user id must be a Discord snowflake/);
    await expect(ledger.transfer({ ...base, key: '' })).rejects.toThrow('The idempotency key must be 1–200 characters.');
    // @ts-expect-error -- an entry type the ledger does not know
    await expect(ledger.transfer({ ...base, type: 'gift' })).rejects.toThrow(/Unknown entry type "gift"/);
    // @ts-expect-error -- not a system account
    await expect(ledger.transfer({ ...base, from: { ownerType: 'system', ownerId: 'bank' } })).rejects.toThrow(/not a system account/);
  });
});

describe('idempotency', () => {
  it('applies a key 10× concurrently exactly once: one entry, the same id everywhere, nine replays', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const key = `give:${guildId}:once`;
    const results = await Promise.all(Array.from({ length: 10 }, () => give(guildId, alice, bob, 10n, key)));
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect(results.filter((r) => r.replayed)).toHaveLength(9);
    // A replay returns the first result, balances-after included.
    for (const r of results) expect(r.entry).toEqual(results[0]!.entry);
    expect(await balances(guildId, alice, bob)).toEqual([90n, 10n]);
    expect(await prisma.journalEntry.count({ where: { idempotencyKey: key } })).toBe(1);
  });

  it('replays a key whatever the order of the postings, and later, with the first result', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const first = await give(guildId, alice, bob, 10n, `give:${guildId}:later`);
    await give(guildId, alice, bob, 5n);
    const again = await ledger.record({
      guildId,
      key: `give:${guildId}:later`,
      type: 'give',
      actor: { type: 'user', id: alice },
      reason: 'a different reason is not a different movement',
      postings: [
        { account: userAccount(bob), asset: 'currency', amount: 10n },
        { account: userAccount(alice), asset: 'currency', amount: -10n },
      ],
    });
    expect(again).toEqual({ replayed: true, entry: first.entry });
    expect(await balances(guildId, alice, bob)).toEqual([85n, 15n]);
  });

  it('refuses the same key with a different amount, accounts or type, and changes nothing', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const key = `give:${guildId}:conflict`;
    const { entry } = await give(guildId, alice, bob, 10n, key);

    const err = await give(guildId, alice, bob, 11n, key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdempotencyConflictError);
    expect(err).toMatchObject({ code: 'idempotency_conflict', key, entryId: entry.id });
    expect((err as Error).message).toBe(`The idempotency key "${key}" was already used for a different movement (entry ${entry.id}); nothing was changed.`);
    await expect(give(guildId, alice, carol, 10n, key)).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(
      ledger.transfer({ guildId, key, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 10n }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(
      ledger.hold({ guildId, key, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 10n }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    const otherGuild = await createGuild(prisma);
    await expect(give(otherGuild, alice, bob, 10n, key)).rejects.toBeInstanceOf(IdempotencyConflictError);

    expect(await balances(guildId, alice, bob, carol)).toEqual([90n, 10n, 0n]);
    expect(await prisma.journalEntry.count({ where: { guildId } })).toBe(2);
  });
});

describe('holds', () => {
  const hold = (guildId: string, key: string, amount: bigint, from = alice) =>
    ledger.hold({ guildId, key, type: 'purchase', actor: { type: 'user', id: from }, asset: 'currency', from: userAccount(from), to: systemAccount('sink'), amount });

  it('hold → post: reserves, then moves', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const held = await hold(guildId, `order:${guildId}:1`, 40n);
    expect(held.entry).toMatchObject({ status: 'pending', postings: [], postedAt: null });
    expect(held.entry.hold).toEqual({ from: userAccount(alice), to: systemAccount('sink'), asset: 'currency', amount: 40n, postedAmount: null });
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 100n, held: 40n, available: 60n });
    expect((await ledger.validate(guildId)).ok).toBe(true);

    const posted = await ledger.postHold({ key: `order:${guildId}:1` });
    expect(posted.replayed).toBe(false);
    expect(posted.entry).toMatchObject({ id: held.entry.id, status: 'posted', hold: { postedAmount: 40n } });
    expect(posted.entry.postings.map((p) => [p.account.ownerId, p.amount, p.balanceAfter])).toEqual([
      ['sink', 40n, 40n],
      [alice, -40n, 60n],
    ]);
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 60n, held: 0n, available: 60n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('hold → void: releases, nothing moves; voiding again is a replay; posting it is refused', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    await hold(guildId, `order:${guildId}:2`, 40n);
    const voided = await ledger.voidHold({ key: `order:${guildId}:2` });
    expect(voided).toMatchObject({ replayed: false, entry: { status: 'voided', postings: [], hold: { postedAmount: null } } });
    expect(voided.entry.voidedAt).toBeInstanceOf(Date);
    expect(await ledger.voidHold({ key: `order:${guildId}:2` })).toEqual({ ...voided, replayed: true });
    const err = await ledger.postHold({ key: `order:${guildId}:2` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HoldNotPendingError);
    expect(err).toMatchObject({ code: 'hold_not_pending', holdStatus: 'voided' });
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 100n, held: 0n, available: 100n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('hold → partial post: moves what was delivered and releases the rest; posting twice is idempotent', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const key = `order:${guildId}:3`;
    await hold(guildId, key, 40n);
    const posted = await ledger.postHold({ key, amount: 25n });
    expect(posted.entry.hold).toMatchObject({ amount: 40n, postedAmount: 25n });
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 75n, held: 0n, available: 75n });
    expect(await ledger.balance(guildId, systemAccount('sink'), 'currency')).toMatchObject({ balance: 25n });

    expect(await ledger.postHold({ key, amount: 25n })).toEqual({ ...posted, replayed: true });
    expect(await ledger.postHold({ key })).toEqual({ ...posted, replayed: true });
    await expect(ledger.postHold({ key, amount: 30n })).rejects.toThrow(`Hold "${key}" was already posted for 25, not 30.`);
    await expect(ledger.voidHold({ key })).rejects.toMatchObject({ code: 'hold_not_pending', holdStatus: 'posted' });
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 75n, held: 0n, available: 75n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('posting concurrently moves the money once', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    const key = `order:${guildId}:race`;
    await hold(guildId, key, 30n);
    const results = await Promise.all(Array.from({ length: 6 }, () => ledger.postHold({ key })));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 70n, held: 0n, available: 70n });
  });

  it('counts held amounts against what is available: a hold or transfer beyond it is refused', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    await hold(guildId, `order:${guildId}:a`, 70n);
    await expect(hold(guildId, `order:${guildId}:b`, 31n)).rejects.toMatchObject({ code: 'insufficient_funds', balance: 100n, held: 70n, requested: 31n });
    await expect(give(guildId, alice, bob, 31n)).rejects.toBeInstanceOf(InsufficientFundsError);
    await hold(guildId, `order:${guildId}:c`, 30n);
    expect(await available(ledger, guildId, userAccount(alice))).toBe(0n);
    await ledger.voidHold({ key: `order:${guildId}:a` });
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 100n, held: 30n, available: 70n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('refuses unknown keys, non-holds and amounts beyond the hold', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n, `fund:${guildId}:plain`);
    await expect(ledger.postHold({ key: `nope:${guildId}` })).rejects.toBeInstanceOf(EntryNotFoundError);
    await expect(ledger.voidHold({ key: `fund:${guildId}:plain` })).rejects.toThrow(`Ledger entry "fund:${guildId}:plain" is not a hold.`);
    await hold(guildId, `order:${guildId}:x`, 10n);
    await expect(ledger.postHold({ key: `order:${guildId}:x`, amount: 11n })).rejects.toThrow(ValidationError);
    await expect(ledger.postHold({ key: `order:${guildId}:x`, amount: 0n })).rejects.toThrow('The amount to post must be positive, not 0.');
  });
});

describe('guild removal', () => {
  it('takes the guild\'s whole ledger with it, and nothing of other guilds', async () => {
    const [gone, kept] = [await createGuild(prisma), await createGuild(prisma)];
    for (const guildId of [gone, kept]) {
      await fund(ledger, guildId, alice, 10n);
      await ledger.hold({ guildId, key: `h:${guildId}`, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: systemAccount('sink'), amount: 5n });
    }
    await prisma.guild.delete({ where: { id: gone } });
    const left = async (guildId: string) => [
      await prisma.asset.count({ where: { guildId } }),
      await prisma.account.count({ where: { guildId } }),
      await prisma.journalEntry.count({ where: { guildId } }),
      await prisma.posting.count({ where: { entry: { guildId } } }),
      await prisma.ledgerHold.count({ where: { entry: { guildId } } }),
    ];
    expect(await left(gone)).toEqual([0, 0, 0, 0, 0]);
    expect(await left(kept)).toEqual([2, 3, 2, 2, 1]);
    expect((await ledger.validate()).inconsistentEntries.filter((e) => e.guildId === gone)).toEqual([]);
  });
});

describe('reading', () => {
  it('pages entries newest first with filters, and ranks holders', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n);
    await fund(ledger, guildId, bob, 50n);
    for (let i = 0; i < 5; i++) await give(guildId, alice, carol, 1n);
    await ledger.hold({ guildId, key: `h:${guildId}`, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(bob), to: systemAccount('sink'), amount: 5n });

    const all = await ledger.entries({ guildId, limit: 3 });
    expect(all.items.map((e) => e.type)).toEqual(['purchase', 'give', 'give']);
    const rest = await ledger.entries({ guildId, limit: 3, cursor: all.nextCursor });
    const last = await ledger.entries({ guildId, limit: 3, cursor: rest.nextCursor });
    expect([...all.items, ...rest.items, ...last.items].map((e) => e.id)).toEqual(
      [...all.items, ...rest.items, ...last.items].map((e) => e.id).sort((a, b) => (a > b ? -1 : 1)),
    );
    expect(rest.items).toHaveLength(3);
    expect(last).toMatchObject({ items: [expect.anything(), expect.anything()], nextCursor: null });

    expect((await ledger.entries({ guildId, account: userAccount(bob) })).items.map((e) => e.type)).toEqual(['purchase', 'daily']);
    expect((await ledger.entries({ guildId, account: userAccount(carol), limit: 100 })).items).toHaveLength(5);
    expect((await ledger.entries({ guildId, type: 'daily' })).items).toHaveLength(2);
    expect((await ledger.entries({ guildId, status: 'pending' })).items.map((e) => e.key)).toEqual([`h:${guildId}`]);
    expect((await ledger.entries({ guildId, account: userAccount(snowflake()) })).items).toEqual([]);
    expect((await ledger.entries({ guildId, asset: 'gems' })).items).toEqual([]);
    await expect(ledger.entries({ guildId, cursor: 'abc' })).rejects.toThrow(ValidationError);

    const board = await ledger.leaderboard({ guildId, asset: 'currency', limit: 2 });
    expect(board.total).toBe(3);
    expect(board.items.map((i) => [i.account.ownerId, i.balance, i.available])).toEqual([
      [alice, 95n, 95n],
      [bob, 50n, 45n],
    ]);
    expect((await ledger.leaderboard({ guildId, asset: 'currency', limit: 2, offset: 2 })).items.map((i) => i.account.ownerId)).toEqual([carol]);
  });
});
