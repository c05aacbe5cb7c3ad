import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, fund, snowflake, SYSTEM } from '../helpers/ledger';
import { checkInvariants, type Owed } from './invariants';

/**
 * The chaos test's checker must be able to fail: a guild where every guarantee holds reports nothing,
 * and each planted violation (by raw SQL or by a second credit, as a bug would do it) is named.
 */
let db: TestDatabase;
let ledger: Ledger;

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = createLedger(db.prisma);
});
afterAll(() => db?.drop());

const member = snowflake();
const INITIAL_STOCK = 3;

/** A withdrawal of `gems` that ended as `status` with `delivered` gems, its hold posted for `posted` gems (what was delivered) or voided. */
async function withdrawal(guildId: string, id: string, status: string, gems: bigint, delivered: bigint, posted = delivered): Promise<void> {
  await db.prisma.withdrawal.create({ data: { id, guildId, userId: member, robloxId: 1n, gems, status, deliveredGems: delivered, deliveredPets: [], completedAt: new Date() } });
  const key = `withdraw:${id}:gems`;
  await ledger.hold({ guildId, key, type: 'escrow', actor: SYSTEM, asset: 'gems', from: userAccount(member), to: systemAccount('escrow'), amount: gems });
  if (posted > 0n) await ledger.postHold({ key, amount: posted });
  else await ledger.voidHold({ key });
}

/** A purchase of a 5-second role, granted `endedSecondsAgo + 5` seconds ago: completed, or role_expired when it was taken back `removedSecondsAgo`. */
async function timedRolePurchase(guildId: string, id: string, { endedSecondsAgo, removedSecondsAgo }: { endedSecondsAgo: number; removedSecondsAgo: number | null }): Promise<void> {
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  const item = await db.prisma.shopItem.create({ data: { guildId, name: `Boost ${id}`, price: 0n, roleId: snowflake(), roleDurationSeconds: 5 } });
  await db.prisma.purchase.create({
    data: {
      id,
      guildId,
      userId: member,
      itemId: item.id,
      quantity: 1,
      unitPrice: 0n,
      total: 0n,
      assetCode: 'currency',
      requestKey: id,
      roleId: item.roleId,
      roleGrantedAt: ago(endedSecondsAgo + 5),
      roleExpiresAt: ago(endedSecondsAgo),
      ...(removedSecondsAgo === null ? { status: 'completed' } : { status: 'role_expired', roleRemovedAt: ago(removedSecondsAgo) }),
    },
  });
}

/**
 * A guild after a small healthy run: a daily reward, a paid top-up, one completed purchase of a limited
 * item, a withdrawal delivered and one expired (refunded), a timed role taken back at its end.
 */
async function healthyGuild(): Promise<Owed> {
  const guildId = await createGuild(db.prisma);
  const daily = `daily-interaction-${guildId}`;
  await ledger.transfer({ guildId, key: `daily:${guildId}:${member}:1`, type: 'daily', actor: SYSTEM, refs: { interactionId: daily }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(member), amount: 1_000n });
  const payment = `pay-${guildId}`;
  await db.prisma.payment.create({ data: { id: payment, guildId, userId: member, provider: 'midtrans', amount: 10_000n, credit: 10_000n, assetCode: 'currency', requestKey: payment, status: 'settled', creditedAt: new Date() } });
  await ledger.transfer({ guildId, key: `topup:${payment}:credit`, type: 'topup', actor: SYSTEM, asset: 'currency', from: systemAccount('gateway'), to: userAccount(member), amount: 10_000n });
  const item = await db.prisma.shopItem.create({ data: { guildId, name: 'Pass', price: 100n, stock: INITIAL_STOCK - 1 } });
  const purchase = `purchase-${guildId}`;
  await db.prisma.purchase.create({ data: { id: purchase, guildId, userId: member, itemId: item.id, quantity: 1, unitPrice: 100n, total: 100n, assetCode: 'currency', status: 'completed', stockTaken: true, requestKey: purchase } });
  await ledger.hold({ guildId, key: `purchase:${purchase}:hold`, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(member), to: systemAccount('sink'), amount: 100n });
  await ledger.postHold({ key: `purchase:${purchase}:hold` });
  const gift = await fund(ledger, guildId, snowflake(), 5n);
  await ledger.transfer({ guildId, key: `deposit:${guildId}:gems`, type: 'admin_adjust', actor: SYSTEM, asset: 'gems', from: systemAccount('issuance'), to: userAccount(member), amount: 100n });
  await withdrawal(guildId, `delivered-${guildId}`, 'delivered', 30n, 30n);
  await withdrawal(guildId, `expired-${guildId}`, 'expired', 40n, 0n);
  await timedRolePurchase(guildId, `boost-${guildId}`, { endedSecondsAgo: 10, removedSecondsAgo: 9 });
  return {
    guildId,
    ledgerKeys: [{ kind: 'give', key: gift.entry.key }],
    dailyInteractions: [daily],
    paidTopups: [payment],
    purchases: [purchase],
    orders: [],
    taskAwards: [],
    verifications: [],
    limitedItems: [{ id: item.id, initialStock: INITIAL_STOCK }],
    withdrawals: [`delivered-${guildId}`, `expired-${guildId}`],
    timedRoles: [{ purchaseId: `boost-${guildId}`, hasRole: false }],
  };
}

it('reports nothing when every guarantee holds', async () => {
  const owed = await healthyGuild();
  expect((await checkInvariants(db.prisma, owed)).violations).toEqual([]);
});

it('names a daily reward credited twice for one acknowledged interaction', async () => {
  const owed = await healthyGuild();
  await ledger.transfer({ guildId: owed.guildId, key: `daily:${owed.guildId}:${member}:2`, type: 'daily', actor: SYSTEM, refs: { interactionId: owed.dailyInteractions[0]! }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(member), amount: 1_000n });
  expect((await checkInvariants(db.prisma, owed)).violations).toEqual([`daily once: acknowledged /daily ${owed.dailyInteractions[0]}: 2 rewards (expected exactly one)`]);
});

it('names an acknowledged operation that was never applied, and a paid top-up never credited', async () => {
  const owed = await healthyGuild();
  const payment = `unpaid-${owed.guildId}`;
  await db.prisma.payment.create({ data: { id: payment, guildId: owed.guildId, userId: member, provider: 'midtrans', amount: 10_000n, credit: 10_000n, assetCode: 'currency', requestKey: payment, status: 'pending' } });
  const violations = (await checkInvariants(db.prisma, { ...owed, ledgerKeys: [...owed.ledgerKeys, { kind: 'adjust', key: 'never-applied' }], paidTopups: [...owed.paidTopups, payment] })).violations;
  expect(violations).toEqual([
    'acknowledged applied once: acknowledged adjust never-applied: 0 entries, 0 posted (expected exactly one)',
    `paid top-ups credited once: paid top-up ${payment}: status pending, 0 credits of 0 (expected one of 10000)`,
  ]);
});

it('names a balance that drifted from its postings, in validate() and in its own SQL', async () => {
  const owed = await healthyGuild();
  await db.prisma.$executeRawUnsafe(`UPDATE ledger_accounts SET balance = balance + 5 WHERE guild_id = $1 AND owner_id = $2`, owed.guildId, member);
  const violations = (await checkInvariants(db.prisma, owed)).violations;
  expect(violations).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^ledger validate\(\): .*balanceMismatches/),
      expect.stringMatching(/^assets sum to zero: asset currency does not sum to zero: balances 5, postings 0$/),
      expect.stringMatching(/^balances equal postings: account \d+: balance 10905 but postings sum to 10900$/),
    ]),
  );
});

it('names stock that left the shelf without a completed purchase, and a purchase left pending', async () => {
  const owed = await healthyGuild();
  const itemId = owed.limitedItems[0]!.id;
  await db.prisma.shopItem.update({ where: { id: itemId }, data: { stock: { decrement: 1 } } });
  const pending = `pending-${owed.guildId}`;
  await db.prisma.purchase.create({ data: { id: pending, guildId: owed.guildId, userId: member, itemId, quantity: 1, unitPrice: 100n, total: 100n, assetCode: 'currency', status: 'pending', requestKey: pending } });
  expect((await checkInvariants(db.prisma, { ...owed, purchases: [...owed.purchases, pending] })).violations).toEqual([
    `purchases finished: acknowledged purchase ${pending} is pending`,
    `stock agrees: item ${itemId}: 2 sold (from 3 to 1) but 1 completed`,
    `no stuck rows: purchase ${pending} is still pending`,
  ]);
});

it('names a delivered withdrawal given back, and an acknowledged one never recorded', async () => {
  const owed = await healthyGuild();
  const refunded = `refunded-${owed.guildId}`;
  await withdrawal(owed.guildId, refunded, 'delivered', 20n, 20n, 0n);
  expect((await checkInvariants(db.prisma, { ...owed, withdrawals: [...owed.withdrawals, refunded, 'never-started'] })).violations).toEqual([
    expect.stringMatching(new RegExp(`^compensation: withdrawal ${refunded} is delivered but its ledger key withdraw:${refunded}:gems is voided`)),
    `withdrawals settled once: withdrawal ${refunded} is delivered: the member lost 0 gems and 0 pets for 20 gems and 0 pets delivered`,
    'withdrawals settled once: acknowledged withdrawal never-started is not recorded',
  ]);
});

it('names a timed role left on after its end, one taken back early, and one off while it runs', async () => {
  const owed = await healthyGuild();
  const [kept, early, running] = ['kept', 'early', 'running'].map((k) => `${k}-${owed.guildId}`) as [string, string, string];
  await timedRolePurchase(owed.guildId, kept, { endedSecondsAgo: 60, removedSecondsAgo: null });
  await timedRolePurchase(owed.guildId, early, { endedSecondsAgo: 10, removedSecondsAgo: 12 });
  await timedRolePurchase(owed.guildId, running, { endedSecondsAgo: -60, removedSecondsAgo: null });
  const timedRoles = [
    { purchaseId: owed.timedRoles[0]!.purchaseId, hasRole: true },
    { purchaseId: kept, hasRole: true },
    { purchaseId: early, hasRole: false },
    { purchaseId: running, hasRole: false },
  ];
  const violations = (await checkInvariants(db.prisma, { ...owed, timedRoles })).violations;
  expect(violations).toEqual([
    expect.stringMatching(new RegExp(`^timed roles ended: purchase ${owed.timedRoles[0]!.purchaseId} is role_expired but the role is still on$`)),
    expect.stringMatching(new RegExp(`^timed roles ended: purchase ${kept}: its role ended at .* but the purchase is still completed$`)),
    expect.stringMatching(new RegExp(`^timed roles ended: purchase ${early}: the role was removed before its end at `)),
    expect.stringMatching(new RegExp(`^timed roles ended: purchase ${running}: the role is off before its end at `)),
  ]);
});
