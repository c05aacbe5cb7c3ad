import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../../activities';
import {
  archiveEntries,
  createLedgerActivities,
  EntryNotFoundError,
  HoldNotPendingError,
  InsufficientFundsError,
  systemAccount,
  userAccount,
  type AccountRef,
  type Ledger,
  type UndoHoldResult,
} from '../../../activities/ledger';
import type { TransferActivityInput } from '../../../activities/ledger/activities';
import { transactionLedger } from '../../../activities/ledger/ledger';
import { holdReversalKey } from '../../../lib/flows/ledger';
import { createLogger } from '../../../lib/logger';
import { waitFor } from '../../../lib/wait';
import { sqlPool, type PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

/**
 * undoHold: the compensation a saga registers before its hold step, so it must cope with every outcome of
 * that step — a pending hold, a voided or posted one (live or archived), or none at all yet.
 */
let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url, 12));
});
afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

const sink = systemAccount('sink');
const escrow = systemAccount('escrow');

/** A guild with a member holding 1000. */
async function setup(): Promise<{ guildId: string; member: string; k: (name: string) => string }> {
  const guildId = await createGuild(prisma);
  const member = snowflake();
  await fund(ledger, guildId, member, 1000n);
  return { guildId, member, k: (name) => `purchase:${guildId}:${name}:hold` };
}

const hold = (guildId: string, member: string, key: string, amount = 100n, to: AccountRef = sink) =>
  ledger.hold({ guildId, key, type: 'purchase', actor: { type: 'user', id: member }, asset: 'currency', from: userAccount(member), to, amount });
const undo = (key: string, reversalKey?: string) => ledger.undoHold({ key, reversalKey, reason: 'purchase failed' });

async function balanceOf(guildId: string, account: AccountRef) {
  return ledger.balance(guildId, account, 'currency');
}
/** Every account of the guild and every entry, to show that something changed nothing. */
async function snapshot(guildId: string) {
  const accounts = await prisma.account.findMany({ where: { guildId }, orderBy: { id: 'asc' }, select: { id: true, balance: true, held: true } });
  const entries = await prisma.journalEntry.findMany({ where: { guildId }, orderBy: { id: 'asc' }, select: { id: true, idempotencyKey: true, status: true } });
  return { accounts, entries };
}
const tombstone = (key: string) => prisma.holdTombstone.findUnique({ where: { key } });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
}

describe('undoHold', () => {
  it('voids a pending hold; again it answers already_voided and changes nothing', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('a'));
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 100n, available: 900n });

    const first = await undo(k('a'));
    expect(first).toMatchObject({ outcome: 'voided', replayed: false, key: k('a'), hold: { status: 'voided', key: k('a') } });
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });

    const before = await snapshot(guildId);
    expect(await undo(k('a'))).toMatchObject({ outcome: 'already_voided', replayed: true, hold: { status: 'voided' } });
    expect(await snapshot(guildId)).toEqual(before);
    expect(await tombstone(k('a'))).toBeNull();
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('answers already_voided for a hold voided by voidHold', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('a'));
    await ledger.voidHold({ key: k('a') });
    expect(await undo(k('a'))).toMatchObject({ outcome: 'already_voided', replayed: true });
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
  });

  it('leaves a tombstone where no hold ever was, and a hold placed later under that key is refused and changes nothing', async () => {
    const { guildId, member, k } = await setup();
    const first = await undo(k('never'));
    expect(first).toMatchObject({ outcome: 'never_held', replayed: false, key: k('never') });
    const stone = await tombstone(k('never'));
    expect(stone).not.toBeNull();
    expect(first.outcome === 'never_held' && first.tombstonedAt).toEqual(stone!.voidedAt);
    expect(await undo(k('never'))).toMatchObject({ outcome: 'never_held', replayed: true, tombstonedAt: stone!.voidedAt });

    const before = await snapshot(guildId);
    const err = await rejection(hold(guildId, member, k('never')));
    expect(err).toBeInstanceOf(HoldNotPendingError);
    expect(err).toMatchObject({ code: 'hold_not_pending', key: k('never'), holdStatus: 'voided' });
    expect((err as Error).message).toBe(`Hold "${k('never')}" was voided before it was placed; it can no longer be placed.`);
    expect(await snapshot(guildId)).toEqual(before);
    expect(await ledger.entry(k('never'))).toBeNull();
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    // The key still cannot be posted or voided: there is no hold.
    await expect(ledger.postHold({ key: k('never') })).rejects.toBeInstanceOf(EntryNotFoundError);
    // Other keys are not affected.
    await hold(guildId, member, k('other'));
    expect((await balanceOf(guildId, userAccount(member))).held).toBe(100n);
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('reverses a posted hold with one reversal entry, even when the sink has less than that left; again it replays', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('a'), 300n);
    const posted = await ledger.postHold({ key: k('a') });
    // The sink's takings went elsewhere: the reversal takes it below zero, as system accounts may go.
    await ledger.transfer({ guildId, key: `drain:${guildId}`, type: 'transfer', actor: SYSTEM, asset: 'currency', from: sink, to: systemAccount('issuance'), amount: 300n });
    expect((await balanceOf(guildId, sink)).balance).toBe(0n);

    const first = await undo(k('a'));
    if (first.outcome !== 'reversed') throw new Error(`expected reversed, got ${first.outcome}`);
    expect(first.replayed).toBe(false);
    expect(first.hold).toMatchObject({ key: k('a'), status: 'posted', id: posted.entry.id });
    expect(first.reversal).toMatchObject({
      key: holdReversalKey(k('a')),
      type: 'reversal',
      status: 'posted',
      reason: 'purchase failed',
      actor: { type: 'system', id: 'compensation' },
      refs: { holdKey: k('a'), holdEntryId: String(posted.entry.id) },
    });
    expect(first.reversal.postings.map((p) => [p.account, p.amount])).toEqual([
      [sink, -300n],
      [userAccount(member), 300n],
    ]);
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect((await balanceOf(guildId, sink)).balance).toBe(-300n);

    const before = await snapshot(guildId);
    const again = await undo(k('a'));
    expect(again).toMatchObject({ outcome: 'reversed', replayed: true, reversal: { id: first.reversal.id } });
    expect(await snapshot(guildId)).toEqual(before);
    expect(await prisma.journalEntry.count({ where: { guildId, type: 'reversal' } })).toBe(1);
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('reverses what a partial post moved, under the reversal key given', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('w'), 100n, escrow);
    await ledger.postHold({ key: k('w'), amount: 60n });
    const result = await undo(k('w'), `withdraw:${guildId}:gems:back`);
    expect(result).toMatchObject({ outcome: 'reversed', reversal: { key: `withdraw:${guildId}:gems:back` } });
    expect(result.outcome === 'reversed' && result.reversal.postings.map((p) => p.amount)).toEqual([-60n, 60n]);
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect((await balanceOf(guildId, escrow)).balance).toBe(0n);
  });

  it('refuses a reversal that would take a user below zero, changing nothing', async () => {
    const { guildId, member, k } = await setup();
    const payee = snowflake();
    await hold(guildId, member, k('to-user'), 100n, userAccount(payee));
    await ledger.postHold({ key: k('to-user') });
    await ledger.transfer({ guildId, key: `spend:${guildId}`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(payee), to: sink, amount: 100n });
    const before = await snapshot(guildId);
    await expect(undo(k('to-user'))).rejects.toBeInstanceOf(InsufficientFundsError);
    expect(await snapshot(guildId)).toEqual(before);
  });

  it('handles archived holds like live ones', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('posted'), 200n);
    await ledger.postHold({ key: k('posted') });
    await hold(guildId, member, k('voided'), 50n);
    await ledger.voidHold({ key: k('voided') });
    await archiveEntries(prisma, { guildId, olderThanDays: 0, now: new Date(Date.now() + 60_000) });
    expect(await prisma.journalEntry.count({ where: { guildId, idempotencyKey: { in: [k('posted'), k('voided')] } } })).toBe(0);

    expect(await undo(k('voided'))).toMatchObject({ outcome: 'already_voided', replayed: true, hold: { key: k('voided'), status: 'voided' } });
    const reversed = await undo(k('posted'));
    expect(reversed).toMatchObject({ outcome: 'reversed', replayed: false, hold: { status: 'posted' }, reversal: { refs: { holdKey: k('posted') } } });
    expect(reversed.outcome === 'reversed' && reversed.reversal.postings.map((p) => p.amount)).toEqual([-200n, 200n]);
    expect(await undo(k('posted'))).toMatchObject({ outcome: 'reversed', replayed: true });
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect(await tombstone(k('posted'))).toBeNull();
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('refuses a key that is not a hold, and a reversal key equal to the hold key', async () => {
    const { guildId, member } = await setup();
    const key = `give:${guildId}`;
    await ledger.transfer({ guildId, key, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(member), to: sink, amount: 1n });
    await expect(undo(key)).rejects.toBeInstanceOf(EntryNotFoundError);
    expect(await tombstone(key)).toBeNull();
    await expect(undo(`x:${guildId}`, `x:${guildId}`)).rejects.toThrow('The reversal needs a key of its own');
  });
});

describe('undoHold when calls overlap', () => {
  const many = <T>(n: number, fn: () => Promise<T>) => Promise.all(Array.from({ length: n }, fn));
  const outcomes = (results: UndoHoldResult[]) => results.map((r) => `${r.outcome}${r.replayed ? ' (replayed)' : ''}`).sort();

  it('two concurrent undos of a pending, a posted and a missing hold: each undone once', async () => {
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('pending'));
    await hold(guildId, member, k('posted'));
    await ledger.postHold({ key: k('posted') });

    expect(outcomes(await many(2, () => undo(k('pending'))))).toEqual(['already_voided (replayed)', 'voided']);
    expect(outcomes(await many(2, () => undo(k('posted'))))).toEqual(['reversed', 'reversed (replayed)']);
    expect(outcomes(await many(2, () => undo(k('none'))))).toEqual(['never_held', 'never_held (replayed)']);

    expect(await prisma.journalEntry.count({ where: { guildId, type: 'reversal' } })).toBe(1);
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('a hold and its undo racing: the hold ends voided, or tombstoned and refused — never pending or posted', async () => {
    const { guildId, member } = await setup();
    const ends = { voided: 0, refused: 0 };
    for (let i = 0; i < 30; i++) {
      const key = `race:${guildId}:${i}`;
      // Alternate which call is sent first; the server decides who gets the key's lock.
      const [placed, undone] =
        i % 2 === 0
          ? await Promise.allSettled([hold(guildId, member, key, 10n), undo(key)])
          : await Promise.allSettled([undo(key), hold(guildId, member, key, 10n)]).then(([u, h]) => [h, u] as const);
      if (undone.status !== 'fulfilled') throw undone.reason;
      const entry = await ledger.entry(key);
      if (placed.status === 'fulfilled') {
        expect(undone.value.outcome).toBe('voided');
        expect(entry?.status).toBe('voided');
        expect(await tombstone(key)).toBeNull();
        ends.voided++;
      } else {
        expect(placed.reason).toBeInstanceOf(HoldNotPendingError);
        expect(undone.value.outcome).toBe('never_held');
        expect(entry).toBeNull();
        expect(await tombstone(key)).not.toBeNull();
        ends.refused++;
      }
    }
    expect(ends.voided + ends.refused).toBe(30);
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect(await prisma.journalEntry.count({ where: { guildId, status: 'pending' } })).toBe(0);
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  /** The backend waiting on a key's advisory lock while running `fn`, found by its query text. */
  const waitingOnKeyLock = (fn: string) =>
    waitFor(
      async () =>
        (
          await prisma.$queryRawUnsafe<unknown[]>(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE $1`,
            `%${fn}%`,
          )
        ).length > 0,
      { timeoutMs: 10_000, what: `${fn} to wait for the key's lock` },
    );

  it('an undo that waited for a hold being placed finds it committed and voids it', async () => {
    const { guildId, member, k } = await setup();
    const client = await sqlPool(prisma)!.connect();
    try {
      await client.query('BEGIN');
      await transactionLedger(client).hold({ guildId, key: k('slow'), type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(member), to: sink, amount: 100n });
      const undone = undo(k('slow'));
      await waitingOnKeyLock('ledger_undo_hold');
      await client.query('COMMIT');
      expect(await undone).toMatchObject({ outcome: 'voided', replayed: false });
    } finally {
      client.release();
    }
    expect(await tombstone(k('slow'))).toBeNull();
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
  });

  it('a hold that waited for an undo finds its tombstone and is refused', async () => {
    const { guildId, member, k } = await setup();
    const client = await sqlPool(prisma)!.connect();
    try {
      await client.query('BEGIN');
      expect(await transactionLedger(client).undoHold({ key: k('late'), reason: 'lost reply' })).toMatchObject({ outcome: 'never_held' });
      const placed = hold(guildId, member, k('late')).catch((e: unknown) => e);
      await waitingOnKeyLock('ledger_record');
      await client.query('COMMIT');
      expect(await placed).toBeInstanceOf(HoldNotPendingError);
    } finally {
      client.release();
    }
    expect(await ledger.entry(k('late'))).toBeNull();
    expect(await balanceOf(guildId, userAccount(member))).toEqual({ balance: 1000n, held: 0n, available: 1000n });
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });
});

describe('ledgerUndoHold (activity)', () => {
  const log = createLogger({ level: 'silent' });
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'purchase:77', runId: 'r' } });

  it('is registered with the worker', async () => {
    expect(Object.keys(createActivities({ prisma, log }))).toContain('ledgerUndoHold');
  });

  it('returns a JSON-safe result, keeps the workflow id with the reversal, and raises refusals as non-retryable failures', async () => {
    const acts = createLedgerActivities({ prisma, log });
    const { guildId, member, k } = await setup();
    await hold(guildId, member, k('a'));
    await ledger.postHold({ key: k('a') });

    const result = await env.run(acts.ledgerUndoHold, { key: k('a'), reason: 'the role could not be given' });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result).toMatchObject({
      outcome: 'reversed',
      replayed: false,
      reversal: { key: holdReversalKey(k('a')), refs: { workflowId: 'purchase:77', holdKey: k('a') }, postings: [{ amount: '-100' }, { amount: '100', balanceAfter: '1000' }] },
    });
    expect(await env.run(acts.ledgerUndoHold, { key: k('none'), reason: 'x' })).toMatchObject({ outcome: 'never_held', tombstonedAt: expect.any(String) });

    const input: TransferActivityInput = { guildId, key: k('none'), type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(member), to: sink, amount: '5' };
    const refused = await env.run(acts.ledgerHold, input).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toMatchObject({ type: 'HoldNotPending', nonRetryable: true });
  });
});
