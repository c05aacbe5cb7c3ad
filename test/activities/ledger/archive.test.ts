import pg from 'pg';
import {
  archiveEntries,
  archivedEntry,
  HoldNotPendingError,
  IdempotencyConflictError,
  InsufficientFundsError,
  systemAccount,
  userAccount,
  type Ledger,
  type LedgerEntry,
} from '../../../activities/ledger';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

/**
 * Archiving moves old posted/voided entries out of the journal behind one checkpoint per run. What must
 * not change: any balance or held amount, validate()'s verdict, and what an archived key answers.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;
let sql: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url, 12));
  sql = new pg.Pool({ connectionString: db.url, max: 3 });
});
afterAll(async () => {
  await sql.end();
  await prisma.$disconnect();
  await db.drop();
});


/** Every account of the guild: id → [balance, held]. */
async function accounts(guildId: string): Promise<Record<string, [string, string]>> {
  const { rows } = await sql.query<{ id: string; balance: string; held: string }>(
    'SELECT id::text AS id, balance::text AS balance, held::text AS held FROM ledger_accounts WHERE guild_id = $1 ORDER BY id',
    [guildId],
  );
  return Object.fromEntries(rows.map((r) => [r.id, [r.balance, r.held]]));
}

/** Makes every entry of the guild `days` older (created and posted/voided times). */
async function age(guildId: string, days: number): Promise<void> {
  await sql.query(
    `UPDATE ledger_entries SET created_at = created_at - make_interval(days => $2), posted_at = posted_at - make_interval(days => $2),
            voided_at = voided_at - make_interval(days => $2) WHERE guild_id = $1`,
    [guildId, days],
  );
}

const liveKeys = async (guildId: string) =>
  (await sql.query<{ key: string; type: string; status: string }>('SELECT idempotency_key AS key, type, status FROM ledger_entries WHERE guild_id = $1 ORDER BY id', [guildId])).rows;
const archivedCount = async (guildId: string) =>
  Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM ledger_archived_entries WHERE guild_id = $1', [guildId])).rows[0]!.n);

const alice = snowflake();
const bob = snowflake();
const carol = snowflake();

/** A guild with every kind of history, aged 10 days, plus one recent transfer. Returns the first results. */
async function historyGuild() {
  const guildId = await createGuild(prisma);
  const g = (key: string) => `${key}:${guildId}`;
  const results: Record<string, LedgerEntry> = {};
  results.fundA = (await fund(ledger, guildId, alice, 1000n, g('fund-a'))).entry;
  results.fundB = (await fund(ledger, guildId, bob, 500n, g('fund-b'))).entry;
  results.give = (
    await ledger.transfer({ guildId, key: g('give/1'), type: 'give', actor: { type: 'user', id: alice }, reason: 'for "lunch", thanks\nsee you', refs: { interactionId: 'i1' }, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 100n })
  ).entry;
  results.swap = (
    await ledger.record({
      guildId,
      key: g('swap'),
      type: 'purchase',
      actor: SYSTEM,
      postings: [
        { account: userAccount(bob), asset: 'currency', amount: -50n },
        { account: systemAccount('sink'), asset: 'currency', amount: 50n },
        { account: systemAccount('issuance'), asset: 'gems', amount: -5n },
        { account: userAccount(bob), asset: 'gems', amount: 5n },
      ],
    })
  ).entry;
  const hold = (key: string, amount: bigint) =>
    ledger.hold({ guildId, key: g(key), type: 'escrow', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: systemAccount('escrow'), amount });
  await hold('hold-pending', 70n);
  await hold('hold-posted', 40n);
  results.holdPosted = (await ledger.postHold({ key: g('hold-posted'), amount: 30n })).entry;
  await hold('hold-voided', 20n);
  results.holdVoided = (await ledger.voidHold({ key: g('hold-voided') })).entry;
  await age(guildId, 10);
  // As they read now (aging moved their times), for comparing with what archived keys answer.
  for (const [name, entry] of Object.entries(results)) results[name] = (await ledger.entry(entry.key))!;
  results.recent = (await ledger.transfer({ guildId, key: g('recent'), type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(bob), to: userAccount(carol), amount: 5n })).entry;
  return { guildId, g, results };
}

describe('archive', () => {
  it('moves old posted and voided entries behind one checkpoint: balances, held and validate unchanged, pending holds stay', async () => {
    const { guildId, g } = await historyGuild();
    const before = await accounts(guildId);
    expect((await ledger.validate(guildId)).ok).toBe(true);

    const batches: number[] = [];
    const result = await archiveEntries(prisma, { guildId, olderThanDays: 7, batchSize: 2, onBatch: (b) => void batches.push(b.archived) });
    // fund-a, fund-b, give, swap, hold-posted, hold-voided: 6 in batches of 2; not the pending hold, not the recent give.
    expect(result).toMatchObject({ guildId, archived: 6, batches: 3 });
    expect(batches).toEqual([2, 2, 2]);
    expect(result.checkpointEntryId).not.toBeNull();

    expect(await accounts(guildId)).toEqual(before);
    const report = await ledger.validate(guildId);
    expect(report.ok).toBe(true);
    expect(report.assets.map((a) => [a.asset, a.sumOfBalances, a.sumOfPostings])).toEqual([
      ['currency', 0n, 0n],
      ['gems', 0n, 0n],
    ]);
    expect(await liveKeys(guildId)).toEqual([
      { key: g('hold-pending'), type: 'escrow', status: 'pending' },
      { key: g('recent'), type: 'give', status: 'posted' },
      { key: result.checkpointKey, type: 'checkpoint', status: 'posted' },
    ]);
    expect(await archivedCount(guildId)).toBe(6);

    // The checkpoint's postings are, per account, the net of the archived postings.
    const checkpoint = (await ledger.entry(result.checkpointKey))!;
    const { rows: nets } = await sql.query<{ account_id: string; net: string }>(
      `SELECT p.value ->> 'accountId' AS account_id, sum((p.value ->> 'amount')::bigint)::text AS net
         FROM ledger_archived_entries a CROSS JOIN jsonb_array_elements(a.postings) p
        WHERE a.guild_id = $1 AND p.value ? 'amount' GROUP BY 1 HAVING sum((p.value ->> 'amount')::bigint) <> 0 ORDER BY 1`,
      [guildId],
    );
    expect(checkpoint.postings.map((p) => [String(p.accountId), String(p.amount)]).sort()).toEqual(nets.map((n) => [n.account_id, n.net]).sort());
    // alice: +1000 -100 -30 = 870; her pending hold is not archived.
    expect(checkpoint.postings.find((p) => p.account.ownerId === alice && p.asset === 'currency')).toMatchObject({ amount: 870n, balanceAfter: 870n });
  });

  it('an archived key still counts: the same movement replays the archived result and changes nothing; other content conflicts', async () => {
    const { guildId, g, results } = await historyGuild();
    await archiveEntries(prisma, { guildId, olderThanDays: 7 });
    const before = await accounts(guildId);
    const live = await liveKeys(guildId);

    const again = await ledger.transfer({ guildId, key: g('give/1'), type: 'give', actor: { type: 'user', id: alice }, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 100n });
    expect(again.replayed).toBe(true);
    expect(again.entry).toEqual(results.give);
    const swapAgain = await ledger.record({
      guildId,
      key: g('swap'),
      type: 'purchase',
      actor: SYSTEM,
      postings: [
        { account: userAccount(bob), asset: 'gems', amount: 5n },
        { account: systemAccount('issuance'), asset: 'gems', amount: -5n },
        { account: systemAccount('sink'), asset: 'currency', amount: 50n },
        { account: userAccount(bob), asset: 'currency', amount: -50n },
      ],
    });
    expect(swapAgain).toEqual({ replayed: true, entry: results.swap });
    await expect(
      ledger.transfer({ guildId, key: g('give/1'), type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 101n }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    // Holds: posting/voiding again replays; the other operation or another amount is refused.
    expect(await ledger.postHold({ key: g('hold-posted') })).toEqual({ replayed: true, entry: results.holdPosted });
    expect(await ledger.postHold({ key: g('hold-posted'), amount: 30n })).toEqual({ replayed: true, entry: results.holdPosted });
    await expect(ledger.postHold({ key: g('hold-posted'), amount: 40n })).rejects.toBeInstanceOf(HoldNotPendingError);
    await expect(ledger.voidHold({ key: g('hold-posted') })).rejects.toBeInstanceOf(HoldNotPendingError);
    expect(await ledger.voidHold({ key: g('hold-voided') })).toEqual({ replayed: true, entry: results.holdVoided });
    await expect(ledger.postHold({ key: g('hold-voided') })).rejects.toBeInstanceOf(HoldNotPendingError);
    await expect(ledger.postHold({ key: g('fund-a') })).rejects.toThrow(/not a hold/);

    expect(await accounts(guildId)).toEqual(before);
    expect(await liveKeys(guildId)).toEqual(live);
    expect(await ledger.entry(g('give/1'))).toEqual(results.give);
    expect(await archivedEntry(prisma, g('give/1'))).toMatchObject({ entry: results.give, checkpointEntryId: expect.any(BigInt) });
    expect(await archivedEntry(prisma, g('recent'))).toBeNull();
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('leaves pending holds postable and voidable afterwards', async () => {
    const { guildId, g } = await historyGuild();
    await ledger.hold({ guildId, key: g('hold-2'), type: 'escrow', actor: SYSTEM, asset: 'currency', from: userAccount(bob), to: systemAccount('escrow'), amount: 9n });
    await age(guildId, 10);
    await archiveEntries(prisma, { guildId, olderThanDays: 7 });
    expect((await liveKeys(guildId)).filter((e) => e.status === 'pending').map((e) => e.key)).toEqual([g('hold-pending'), g('hold-2')]);

    const aliceBefore = await ledger.balance(guildId, userAccount(alice), 'currency');
    expect(aliceBefore).toEqual({ balance: 870n, held: 70n, available: 800n });
    const posted = await ledger.postHold({ key: g('hold-pending'), amount: 60n });
    expect(posted.replayed).toBe(false);
    expect(posted.entry.postings.map((p) => [p.account.ownerId, p.amount, p.balanceAfter])).toEqual([
      ['escrow', 60n, 90n], // 30 from the posted hold before
      [alice, -60n, 810n],
    ]);
    expect(await ledger.balance(guildId, userAccount(alice), 'currency')).toEqual({ balance: 810n, held: 0n, available: 810n });
    expect((await ledger.voidHold({ key: g('hold-2') })).entry.status).toBe('voided');
    expect(await ledger.balance(guildId, userAccount(bob), 'currency')).toEqual({ balance: 545n, held: 0n, available: 545n }) // 500 + 100 - 50 - 5;
    expect((await ledger.validate(guildId)).ok).toBe(true);
  });

  it('is idempotent: a rerun archives nothing more; a run that stopped half-way resumes with its key; a rolled-back batch leaves no trace', async () => {
    const guildId = await createGuild(prisma);
    for (let i = 0; i < 10; i++) await fund(ledger, guildId, alice, BigInt(i + 1), `f${i}:${guildId}`);
    await age(guildId, 3);
    const before = await accounts(guildId);

    // A batch whose transaction rolls back (a crash before COMMIT) changes nothing.
    const client = await sql.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ r: { archived: number } }>(`SELECT ledger_archive_batch($1, now(), $2, 100, 'system', 'test') AS r`, [guildId, `cp-x:${guildId}`]);
      expect(rows[0]!.r.archived).toBe(10);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await archivedCount(guildId)).toBe(0);
    expect((await liveKeys(guildId)).length).toBe(10);

    // A run that dies after its first committed batch…
    const key = `cp-1:${guildId}`;
    await expect(
      archiveEntries(prisma, {
        guildId,
        olderThanDays: 1,
        key,
        batchSize: 4,
        onBatch: () => {
          throw new Error('worker crashed');
        },
      }),
    ).rejects.toThrow('worker crashed');
    expect(await archivedCount(guildId)).toBe(4);
    expect(await accounts(guildId)).toEqual(before);
    expect((await ledger.validate(guildId)).ok).toBe(true);

    // …is finished by a rerun with its key, into the same checkpoint.
    const rerun = await archiveEntries(prisma, { guildId, olderThanDays: 1, key, batchSize: 4 });
    expect(rerun).toMatchObject({ archived: 6, batches: 2 });
    const again = await archiveEntries(prisma, { guildId, olderThanDays: 1 });
    expect(again).toMatchObject({ archived: 0, batches: 0, checkpointEntryId: null });
    expect(await archivedCount(guildId)).toBe(10);
    expect(await liveKeys(guildId)).toEqual([{ key, type: 'checkpoint', status: 'posted' }]);
    const checkpoint = (await ledger.entry(key))!;
    expect(checkpoint.postings.map((p) => [p.account.ownerId, p.amount])).toEqual([
      ['issuance', -55n],
      [alice, 55n],
    ]);
    expect(await accounts(guildId)).toEqual(before);
    const report = await ledger.validate(guildId);
    expect(report.ok).toBe(true);
    expect(report.duplicateKeys).toEqual([]);
  });

  it('archives an earlier checkpoint into the next one, and a checkpoint that nets to zero stays valid', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 100n, `a:${guildId}`);
    await age(guildId, 20);
    const first = await archiveEntries(prisma, { guildId, olderThanDays: 10 });
    await ledger.transfer({ guildId, key: `b:${guildId}`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 40n });
    await age(guildId, 20);
    const second = await archiveEntries(prisma, { guildId, olderThanDays: 10 });
    expect(second.archived).toBe(2); // the first checkpoint and the give
    expect((await liveKeys(guildId)).map((e) => e.key)).toEqual([second.checkpointKey]);
    expect((await archivedEntry(prisma, first.checkpointKey))?.checkpointEntryId).toBe(second.checkpointEntryId);
    expect((await ledger.entry(second.checkpointKey))!.postings.map((p) => [p.account.ownerId, p.amount])).toEqual([
      ['issuance', -100n],
      [alice, 60n],
      [bob, 40n],
    ]);
    expect((await ledger.validate(guildId)).ok).toBe(true);

    // Money that went there and back: the checkpoint carries nothing, and that is valid.
    const round = await createGuild(prisma);
    await fund(ledger, round, carol, 10n, `c1:${round}`);
    await ledger.transfer({ guildId: round, key: `c2:${round}`, type: 'reversal', actor: SYSTEM, asset: 'currency', from: userAccount(carol), to: systemAccount('issuance'), amount: 10n });
    await age(round, 2);
    const zero = await archiveEntries(prisma, { guildId: round, olderThanDays: 1 });
    expect(zero.archived).toBe(2);
    expect((await ledger.entry(zero.checkpointKey))!.postings).toEqual([]);
    expect(await ledger.validate(round)).toMatchObject({ ok: true, inconsistentEntries: [] });
  });

  it('stays consistent with movements, replays and hold posts running during the archive', async () => {
    const guildId = await createGuild(prisma);
    const users = Array.from({ length: 12 }, () => snowflake());
    const model = new Map<string, bigint>();
    for (const u of users) {
      await fund(ledger, guildId, u, 1000n, `seed:${guildId}:${u}`);
      model.set(u, 1000n);
    }
    const oldKeys: string[] = [];
    for (let i = 0; i < 120; i++) {
      const from = users[i % users.length]!;
      const to = users[(i * 7 + 3) % users.length]!;
      if (from === to) continue;
      const key = `old:${guildId}:${i}`;
      await ledger.transfer({ guildId, key, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(from), to: userAccount(to), amount: 3n });
      model.set(from, model.get(from)! - 3n);
      model.set(to, model.get(to)! + 3n);
      oldKeys.push(key);
    }
    const holdKeys = users.map((u) => `hold:${guildId}:${u}`);
    for (const [i, u] of users.entries()) {
      await ledger.hold({ guildId, key: holdKeys[i]!, type: 'escrow', actor: SYSTEM, asset: 'currency', from: userAccount(u), to: systemAccount('escrow'), amount: 10n });
    }
    await age(guildId, 5);

    let stop = false;
    let duringArchive = 0;
    // Between batches the archive waits for the workers to get on (polled, with a deadline), so batches
    // and movements really interleave however the two cores are shared.
    let batchesDone = 0;
    const onBatch = async () => {
      batchesDone += 1;
      const deadline = Date.now() + 10_000;
      while (duringArchive < batchesDone * 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    };
    const archive = archiveEntries(prisma, { guildId, olderThanDays: 1, batchSize: 7, onBatch }).finally(() => {
      stop = true;
    });
    const workers = Array.from({ length: 4 }, async (_, w) => {
      let n = 0;
      while (!stop || n < 30) {
        n += 1;
        const from = users[(w * 5 + n) % users.length]!;
        const to = users[(w * 3 + n * 5 + 1) % users.length]!;
        // A replay of an old key (being archived meanwhile) must answer replayed, never apply.
        const old = oldKeys[(w * 31 + n * 7) % oldKeys.length]!;
        const replay = await ledger.entry(old);
        const again = await ledger.transfer({
          guildId,
          key: old,
          type: 'give',
          actor: SYSTEM,
          asset: 'currency',
          from: replay!.postings.find((p) => p.amount < 0n)!.account,
          to: replay!.postings.find((p) => p.amount > 0n)!.account,
          amount: 3n,
        });
        expect(again.replayed).toBe(true);
        if (!stop) duringArchive += 1;
        if (from !== to) {
          try {
            await ledger.transfer({ guildId, key: `new:${guildId}:${w}:${n}`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(from), to: userAccount(to), amount: 1n + BigInt(n % 5) });
            model.set(from, model.get(from)! - (1n + BigInt(n % 5)));
            model.set(to, model.get(to)! + 1n + BigInt(n % 5));
          } catch (err) {
            if (!(err instanceof InsufficientFundsError)) throw err;
          }
        }
        if (n % 10 === 0) {
          const i = (w + n) % users.length;
          const posted = await ledger.postHold({ key: holdKeys[i]!, amount: 10n });
          if (!posted.replayed) model.set(users[i]!, model.get(users[i]!)! - 10n);
        }
      }
    });
    const [result] = await Promise.all([archive, ...workers]);
    expect(result.archived).toBeGreaterThanOrEqual(12 + 120);
    expect(duringArchive).toBeGreaterThanOrEqual(2 * result.batches); // the workers really ran while batches were being archived

    const report = await ledger.validate(guildId);
    expect(report.ok).toBe(true);
    for (const u of users) expect([u, (await ledger.balance(guildId, userAccount(u), 'currency')).balance]).toEqual([u, model.get(u)]);
    const { rows } = await sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT idempotency_key FROM ledger_entries WHERE guild_id = $1 UNION ALL
                                  SELECT idempotency_key FROM ledger_archived_entries WHERE guild_id = $1) k WHERE idempotency_key LIKE 'old:%'`,
      [guildId],
    );
    expect(Number(rows[0]!.n)).toBe(oldKeys.length);
  });

  it('validate checks the archive too: a checkpoint must carry exactly the net of the entries archived behind it', async () => {
    const guildId = await createGuild(prisma);
    await fund(ledger, guildId, alice, 10n, `t1:${guildId}`);
    await ledger.transfer({ guildId, key: `t2:${guildId}`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 4n });
    await age(guildId, 2);
    const run = await archiveEntries(prisma, { guildId, olderThanDays: 1 });
    expect(await ledger.validate(guildId)).toMatchObject({ ok: true, checkpointMismatches: [] });
    const tamper = async (statement: string, check: (report: Awaited<ReturnType<Ledger['validate']>>) => void) => {
      await sql.query(statement, [`t2:${guildId}`]);
      check(await ledger.validate(guildId));
    };
    const saved = (await sql.query<{ postings: unknown; checkpoint_entry_id: string }>('SELECT postings, checkpoint_entry_id::text FROM ledger_archived_entries WHERE idempotency_key = $1', [`t2:${guildId}`])).rows[0]!;
    const restore = () =>
      sql.query('UPDATE ledger_archived_entries SET postings = $2, checkpoint_entry_id = $3 WHERE idempotency_key = $1', [`t2:${guildId}`, JSON.stringify(saved.postings), saved.checkpoint_entry_id]);

    await tamper(`UPDATE ledger_archived_entries SET postings = jsonb_set(postings, '{0,amount}', '"-5"') WHERE idempotency_key = $1`, (report) => {
      expect(report.ok).toBe(false);
      expect(report.checkpointMismatches).toEqual([
        expect.objectContaining({ checkpointEntryId: run.checkpointEntryId, key: run.checkpointKey, guildId, carried: 6n, archivedNet: 5n }),
      ]);
    });
    await restore();
    await tamper(`UPDATE ledger_archived_entries SET checkpoint_entry_id = 999999999 WHERE idempotency_key = $1`, (report) => {
      expect(report.checkpointMismatches.map((m) => [m.checkpointEntryId, m.key])).toEqual([
        [run.checkpointEntryId, run.checkpointKey],
        [run.checkpointEntryId, run.checkpointKey],
        [999999999n, null],
        [999999999n, null],
      ]);
    });
    await restore();
    expect(await ledger.validate(guildId)).toMatchObject({ ok: true, checkpointMismatches: [] });
  });

  it('refuses bad input, and a deleted guild takes its archived entries with it', async () => {
    const { guildId } = await historyGuild();
    await expect(archiveEntries(prisma, { guildId, olderThanDays: -1 })).rejects.toThrow(/olderThanDays/);
    await expect(archiveEntries(prisma, { guildId, olderThanDays: 1.5 })).rejects.toThrow(/olderThanDays/);
    await expect(archiveEntries(prisma, { guildId, olderThanDays: 1, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(archiveEntries(prisma, { guildId, olderThanDays: 1, key: `fund-a:${guildId}` })).rejects.toThrow(/not a checkpoint/);
    await expect(
      ledger.transfer({ guildId, key: `fake-cp:${guildId}`, type: 'checkpoint', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 1n }),
    ).rejects.toThrow(/archive only/);
    await archiveEntries(prisma, { guildId, olderThanDays: 7 });
    expect(await archivedCount(guildId)).toBe(6);
    await prisma.guild.delete({ where: { id: guildId } });
    expect(await archivedCount(guildId)).toBe(0);
  });
});
