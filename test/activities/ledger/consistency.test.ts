import { ensurePackages } from '../../../activities/codes/packages';
import { createLedger, type Ledger } from '../../../activities/ledger';
import { domainMismatches } from '../../../activities/ledger/consistency';
import { archiveEntries, systemAccount, userAccount } from '../../../activities/ledger';
import { holdReversalKey } from '../../../lib/flows/ledger';
import { orderHoldKey } from '../../../lib/flows/orders';
import { sqlPool } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, snowflake } from '../../helpers/ledger';

/** Domain rows against their holds: what `validate()` cannot see, since it reads only the ledger. */
describe('domain against ledger', () => {
  let db: TestDatabase;
  let ledger: Ledger;
  let guildId: string;
  let itemId: number;
  let packageId: number;
  const member = '300000000000000009';
  beforeAll(async () => {
    db = await createTestDatabase();
    ledger = createLedger(db.prisma);
    guildId = await createGuild(db.prisma);
    await ledger.ensureGuildAssets(guildId);
    await ledger.transfer({ guildId, key: 'fund', type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(member), amount: 10_000n });
    itemId = (await db.prisma.shopItem.create({ data: { guildId, name: 'Lamp', price: 100n } })).id;
    packageId = (await ensurePackages(db.prisma, guildId))[0]!.id;
  });
  afterAll(() => db?.drop());

  const hold = (key: string) =>
    ledger.hold({ guildId, key, type: 'purchase', actor: { type: 'user', id: member }, asset: 'currency', from: userAccount(member), to: systemAccount('sink'), amount: 100n });
  type HoldEnd = 'none' | 'pending' | 'posted' | 'voided' | 'reversed';
  async function purchase(id: string, status: string, holdEnd: HoldEnd) {
    await db.prisma.purchase.create({ data: { id, guildId, userId: member, itemId, quantity: 1, unitPrice: 100n, total: 100n, assetCode: 'currency', status, requestKey: id } });
    await endHold(`purchase:${id}:hold`, holdEnd);
  }
  async function order(id: string, status: string, holdEnd: HoldEnd) {
    await db.prisma.codeOrder.create({ data: { id, guildId, userId: member, packageId, quantity: 1, price: 100n, assetCode: 'currency', requestKey: id, status } });
    await endHold(orderHoldKey(id), holdEnd);
  }
  async function endHold(key: string, end: HoldEnd) {
    if (end === 'none') return;
    await hold(key);
    if (end === 'posted' || end === 'reversed') await ledger.postHold({ key });
    if (end === 'voided') await ledger.voidHold({ key });
    if (end === 'reversed') await ledger.undoHold({ key, reason: 'failed after charging' });
  }

  it('finds a finished purchase or order whose money disagrees with it, and nothing on consistent rows', async () => {
    const pool = sqlPool(db.prisma)!;
    await purchase('p-ok-completed', 'completed', 'posted');
    await purchase('p-ok-failed', 'failed', 'voided');
    await purchase('p-ok-failed-early', 'failed', 'none');
    await purchase('p-running', 'pending', 'pending');
    await order('o-ok-refunded', 'refunded', 'voided');
    await order('o-ok-completed', 'completed', 'posted');
    expect(await domainMismatches(pool, guildId)).toEqual([]);

    // The outcomes of a saga that gave up half-way: charged but failed, a hold left pending, delivered unpaid.
    await purchase('p-charged-but-failed', 'failed', 'posted');
    await purchase('p-failed-hold-pending', 'failed', 'pending');
    await order('o-completed-unpaid', 'completed', 'none');
    const found = await domainMismatches(pool, guildId);
    expect(found.map((m) => [m.kind, m.id, m.status, m.ledger])).toEqual([
      ['order', 'o-completed-unpaid', 'completed', 'none'],
      ['purchase', 'p-charged-but-failed', 'failed', 'posted'],
      ['purchase', 'p-failed-hold-pending', 'failed', 'pending'],
    ]);
    expect(found[1]!.problem).toBe('purchase failed but its hold is posted (expected none or voided or reversed)');
    // Another guild's rows are not in this guild's report; the whole database's has them.
    expect(await domainMismatches(pool, await createGuild(db.prisma))).toEqual([]);
    expect(await domainMismatches(pool)).toHaveLength(3);
  });
  it('counts a posted hold taken back by its reversal as reversed: agreeing with failed and refunded, never with completed', async () => {
    const pool = sqlPool(db.prisma)!;
    // In the first test's guild, whose mismatches stay: only this test's rows (ids r…) are looked at.
    const mine = async () => (await domainMismatches(pool, guildId)).filter((m) => m.id.startsWith('r'));
    await purchase('rp-failed-reversed', 'failed', 'reversed');
    await order('ro-refunded-reversed', 'refunded', 'reversed');
    await order('ro-failed-reversed', 'failed', 'reversed');
    expect(await mine()).toEqual([]);

    await purchase('rp-completed-reversed', 'completed', 'reversed');
    // A reversal recorded under some other key is not this hold's: still a charge for a failed purchase.
    await purchase('rp-failed-reversed-elsewhere', 'failed', 'posted');
    await ledger.undoHold({ key: 'purchase:rp-failed-reversed-elsewhere:hold', reversalKey: 'elsewhere', reason: 'x' });
    const found = await mine();
    expect(found.map((m) => [m.id, m.status, m.ledger, m.key])).toEqual([
      ['rp-completed-reversed', 'completed', 'reversed', 'purchase:rp-completed-reversed:hold'],
      ['rp-failed-reversed-elsewhere', 'failed', 'posted', 'purchase:rp-failed-reversed-elsewhere:hold'],
    ]);
    expect(found[0]!.problem).toBe('purchase completed but its hold is reversed (expected posted)');

    // Archived holds and reversals count as live ones.
    await archiveEntries(db.prisma, { guildId, olderThanDays: 0, now: new Date(Date.now() + 60_000) });
    expect(await db.prisma.journalEntry.count({ where: { idempotencyKey: holdReversalKey('purchase:rp-failed-reversed:hold') } })).toBe(0);
    expect((await mine()).map((m) => m.id)).toEqual(['rp-completed-reversed', 'rp-failed-reversed-elsewhere']);
  });

  describe('task claims', () => {
    let g: string;
    let taskId: number;
    beforeAll(async () => {
      g = await createGuild(db.prisma);
      await ledger.ensureGuildAssets(g);
      taskId = (await db.prisma.task.create({ data: { guildId: g, name: 'Art', reward: 50n, claimDurationSeconds: 3600, createdBy: member } })).id;
    });

    /** A claim as the task flow leaves it: `award` paid under its award key, `revoke` taken back under `{id}:revoke`. */
    async function claim(id: string, status: 'completed' | 'revoked', money: { award?: 'paid' | 'missing' | 'unnamed'; reversed?: 'taken' | 'missing' | 'nothing' | 'unrecorded' }) {
      const userId = snowflake();
      const awardKey = `${id}:award:1:1`;
      if (money.award === 'paid') {
        await ledger.transfer({ guildId: g, key: awardKey, type: 'reward', actor: { type: 'user', id: member }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(userId), amount: 50n });
      }
      if (money.reversed === 'taken' || money.reversed === 'unrecorded') {
        await ledger.transfer({ guildId: g, key: `${id}:revoke`, type: 'reversal', actor: { type: 'user', id: member }, asset: 'currency', from: userAccount(userId), to: systemAccount('issuance'), amount: 50n });
      }
      await db.prisma.taskClaim.create({
        data: {
          id,
          guildId: g,
          taskId,
          userId,
          status,
          deadlineAt: new Date(),
          rewardPaid: money.award ? 50n : null,
          awardKey: money.award && money.award !== 'unnamed' ? awardKey : null,
          reversedAmount: money.reversed === 'taken' || money.reversed === 'missing' ? 50n : status === 'revoked' ? 0n : null,
        },
      });
    }

    it('finds a claim that says it paid or took back an award the ledger does not have, and nothing on consistent claims', async () => {
      const pool = sqlPool(db.prisma)!;
      await claim('task:1:ok-completed', 'completed', { award: 'paid' });
      await claim('task:1:ok-unpaid', 'completed', {});
      await claim('task:1:ok-revoked', 'revoked', { award: 'paid', reversed: 'taken' });
      await claim('task:1:ok-revoked-spent', 'revoked', { award: 'paid', reversed: 'nothing' });
      expect(await domainMismatches(pool, g)).toEqual([]);

      await claim('task:1:paid-no-entry', 'completed', { award: 'missing' });
      await claim('task:1:paid-no-key', 'completed', { award: 'unnamed' });
      await claim('task:1:revoked-no-reversal', 'revoked', { award: 'paid', reversed: 'missing' });
      await claim('task:1:revoked-reversal-unrecorded', 'revoked', { award: 'paid', reversed: 'unrecorded' });
      const found = await domainMismatches(pool, g);
      expect(found.map((m) => [m.kind, m.id, m.key, m.ledger, m.problem])).toEqual([
        ['task_claim', 'task:1:paid-no-entry', 'task:1:paid-no-entry:award:1:1', 'none', 'task claim completed says a reward was paid but its award is none (expected posted)'],
        ['task_claim', 'task:1:paid-no-key', '', 'none', 'task claim completed says a reward was paid but names no award key'],
        ['task_claim', 'task:1:revoked-no-reversal', 'task:1:revoked-no-reversal:revoke', 'none', 'task claim revoked says an award was taken back but its reversal is none (expected posted)'],
        ['task_claim', 'task:1:revoked-reversal-unrecorded', 'task:1:revoked-reversal-unrecorded:revoke', 'posted', 'task claim revoked took nothing back but its reversal is posted (expected none)'],
      ]);
      expect(found.every((m) => m.guildId === g && m.status === (m.id.includes('revoked') ? 'revoked' : 'completed'))).toBe(true);
    });
  });
});
