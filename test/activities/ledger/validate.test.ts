import pg from 'pg';
import { systemAccount, toJsonSafe, userAccount, type Ledger } from '../../../activities/ledger';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

/**
 * validate() must see what the ledger's functions would never do: each case corrupts a fresh guild by raw
 * SQL, around the functions, and expects the report to name the damage (and only in that guild).
 */

let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;
let sql: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url, 4));
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await prisma.$disconnect();
  await db.drop();
});

const alice = snowflake();
const bob = snowflake();

/** A guild with some history: issuance, a transfer, a posted and a pending hold. */
async function healthyGuild(): Promise<string> {
  const guildId = await createGuild(prisma);
  await fund(ledger, guildId, alice, 100n);
  await ledger.transfer({ guildId, key: `g:${guildId}`, type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 30n });
  for (const key of [`h1:${guildId}`, `h2:${guildId}`]) {
    await ledger.hold({ guildId, key, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: systemAccount('sink'), amount: 10n });
  }
  await ledger.postHold({ key: `h1:${guildId}`, amount: 7n });
  return guildId;
}

const accountId = async (guildId: string, ownerId: string): Promise<string> =>
  (await sql.query<{ id: string }>(`SELECT id::text AS id FROM ledger_accounts WHERE guild_id = $1 AND owner_id = $2`, [guildId, ownerId])).rows[0]!.id;
const entryId = async (key: string): Promise<string> =>
  (await sql.query<{ id: string }>(`SELECT id::text AS id FROM ledger_entries WHERE idempotency_key = $1`, [key])).rows[0]!.id;

it('reports a healthy ledger as ok, with every asset summing to zero', async () => {
  const guildId = await healthyGuild();
  const report = await ledger.validate(guildId);
  expect(report).toMatchObject({
    ok: true,
    guildId,
    negativeUserAccounts: [],
    balanceMismatches: [],
    duplicateKeys: [],
    unbalancedEntries: [],
    inconsistentEntries: [],
  });
  expect(report.assets.map((a) => [a.asset, a.sumOfBalances, a.sumOfPostings, a.ok])).toEqual([
    ['currency', 0n, 0n, true],
    ['gems', 0n, 0n, true],
  ]);
  expect(report.assets[0]!.accounts).toBe(4); // issuance, alice, bob, sink
  // JSON-safe for the API.
  expect(JSON.parse(JSON.stringify(toJsonSafe(report)))).toMatchObject({ ok: true, assets: [{ sumOfBalances: '0' }, { sumOfBalances: '0' }] });
});

it('names an account whose balance was changed behind the journal, and the asset that no longer sums to zero', async () => {
  const guildId = await healthyGuild();
  await sql.query(`UPDATE ledger_accounts SET balance = balance + 5 WHERE guild_id = $1 AND owner_id = $2`, [guildId, bob]);
  const report = await ledger.validate(guildId);
  expect(report.ok).toBe(false);
  expect(report.balanceMismatches).toEqual([
    expect.objectContaining({ account: userAccount(bob), asset: 'currency', balance: 35n, postingsSum: 30n, held: 0n, pendingHolds: 0n }),
  ]);
  expect(report.assets.find((a) => a.asset === 'currency')).toMatchObject({ sumOfBalances: 5n, sumOfPostings: 0n, ok: false });
  // Other guilds are not blamed, and the whole-ledger report finds the same.
  expect((await ledger.validate(await healthyGuild())).ok).toBe(true);
  expect((await ledger.validate()).balanceMismatches.map((m) => m.guildId)).toContain(guildId);
});

it('names a held amount that no pending hold explains', async () => {
  const guildId = await healthyGuild();
  await sql.query(`UPDATE ledger_accounts SET held = held + 3 WHERE guild_id = $1 AND owner_id = $2`, [guildId, alice]);
  const report = await ledger.validate(guildId);
  expect(report.balanceMismatches).toEqual([expect.objectContaining({ account: userAccount(alice), held: 13n, pendingHolds: 10n })]);
  expect(report.ok).toBe(false);
});

it('names an unbalanced entry inserted around the functions', async () => {
  const guildId = await healthyGuild();
  const id = await entryId(`g:${guildId}`);
  // A third posting on the transfer: 1 coin from nowhere to the sink, with the sink's balance kept in step.
  const sink = await accountId(guildId, 'sink');
  await sql.query(`INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after) VALUES ($1, $2, 1, 0)`, [id, sink]);
  await sql.query(`UPDATE ledger_accounts SET balance = balance + 1 WHERE id = $1`, [sink]);

  const report = await ledger.validate(guildId);
  expect(report.ok).toBe(false);
  expect(report.unbalancedEntries).toEqual([{ entryId: BigInt(id), key: `g:${guildId}`, guildId, asset: 'currency', sum: 1n }]);
  expect(report.balanceMismatches).toEqual([]);
  expect(report.assets.find((a) => a.asset === 'currency')).toMatchObject({ sumOfBalances: 1n, sumOfPostings: 1n, ok: false });
});

it('names a user account driven negative (its CHECK constraint dropped)', async () => {
  const guildId = await healthyGuild();
  await sql.query('ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_user_available_check');
  try {
    await sql.query(`UPDATE ledger_accounts SET balance = -4 WHERE guild_id = $1 AND owner_id = $2`, [guildId, bob]);
    const report = await ledger.validate(guildId);
    expect(report.negativeUserAccounts).toEqual([expect.objectContaining({ account: userAccount(bob), balance: -4n, held: 0n })]);
    expect(report.ok).toBe(false);
  } finally {
    await sql.query(`UPDATE ledger_accounts SET balance = 30 WHERE guild_id = $1 AND owner_id = $2`, [guildId, bob]);
    await sql.query(`ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_user_available_check CHECK ("owner_type" <> 'user' OR "balance" - "held" >= 0)`);
  }
});

it('names a key applied twice (its unique index dropped)', async () => {
  const guildId = await healthyGuild();
  await sql.query('ALTER TABLE ledger_entries DROP CONSTRAINT IF EXISTS ledger_entries_idempotency_key_key');
  await sql.query('DROP INDEX IF EXISTS ledger_entries_idempotency_key_key');
  try {
    await sql.query(
      `INSERT INTO ledger_entries (guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, posted_at, voided_at)
       SELECT guild_id, idempotency_key, fingerprint, type, 'voided', actor_type, actor_id, NULL, now() FROM ledger_entries WHERE idempotency_key = $1`,
      [`g:${guildId}`],
    );
    const report = await ledger.validate(guildId);
    expect(report.duplicateKeys).toEqual([{ key: `g:${guildId}`, entries: 2 }]);
    // The copy is voided but has no hold behind it.
    expect(report.inconsistentEntries).toEqual([expect.objectContaining({ key: `g:${guildId}`, problem: 'voided entry is not a hold' })]);
    expect(report.ok).toBe(false);
  } finally {
    await sql.query(`DELETE FROM ledger_entries WHERE idempotency_key = $1 AND status = 'voided'`, [`g:${guildId}`]);
    await sql.query('CREATE UNIQUE INDEX "ledger_entries_idempotency_key_key" ON "ledger_entries"("idempotency_key")');
  }
});

it('names entries whose status, hold and postings disagree', async () => {
  const guildId = await healthyGuild();
  // The pending hold marked posted without moving anything.
  await sql.query(`UPDATE ledger_entries SET status = 'posted', posted_at = now() WHERE idempotency_key = $1`, [`h2:${guildId}`]);
  const report = await ledger.validate(guildId);
  expect(report.inconsistentEntries).toEqual([expect.objectContaining({ key: `h2:${guildId}`, problem: 'posted hold has no posted amount' })]);
  // …and alice's held amount no longer matches a pending hold.
  expect(report.balanceMismatches).toEqual([expect.objectContaining({ account: userAccount(alice), held: 10n, pendingHolds: 0n })]);
  expect(report.ok).toBe(false);
});

it('names an entry of a guild that does not exist (entries have no foreign key to guilds)', async () => {
  const ghost = snowflake();
  await sql.query(
    `INSERT INTO ledger_entries (guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, posted_at)
     VALUES ($1, $2, md5('x'), 'give', 'posted', 'system', 'test', now())`,
    [ghost, `ghost:${ghost}`],
  );
  const report = await ledger.validate(ghost);
  expect(report.inconsistentEntries).toEqual([expect.objectContaining({ key: `ghost:${ghost}`, problem: 'belongs to a guild that does not exist' })]);
  expect(report.ok).toBe(false);
  await sql.query('DELETE FROM ledger_entries WHERE guild_id = $1', [ghost]);
});

it('keeps postings immutable: corrections are new entries', async () => {
  const guildId = await healthyGuild();
  await expect(sql.query(`UPDATE ledger_postings SET amount = amount WHERE entry_id = $1`, [await entryId(`g:${guildId}`)])).rejects.toThrow(
    'Ledger postings are immutable; record a reversal entry instead',
  );
});

it('has CHECK constraints that refuse what the functions never write', async () => {
  const guildId = await healthyGuild();
  const bobAccount = await accountId(guildId, bob);
  const refuse = (statement: string, values: unknown[], constraint: string) => expect(sql.query(statement, values)).rejects.toThrow(constraint);
  await refuse('UPDATE ledger_accounts SET balance = -1 WHERE id = $1', [bobAccount], 'ledger_accounts_user_available_check');
  await refuse('UPDATE ledger_accounts SET held = balance + 1 WHERE id = $1', [bobAccount], 'ledger_accounts_user_available_check');
  await refuse('UPDATE ledger_accounts SET held = -1 WHERE id = $1', [await accountId(guildId, 'issuance')], 'ledger_accounts_held_check');
  const assetId = (await sql.query<{ id: number }>(`SELECT id FROM ledger_assets WHERE guild_id = $1 AND code = 'currency'`, [guildId])).rows[0]!.id;
  const account = `INSERT INTO ledger_accounts (guild_id, asset_id, owner_type, owner_id) VALUES ($1, $2, $3, $4)`;
  await refuse(account, [guildId, assetId, 'user', 'bob'], 'ledger_accounts_owner_check');
  await refuse(account, [guildId, assetId, 'bank', '1'], 'ledger_accounts_owner_check');
  await refuse(`INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after) VALUES ($1, $2, 0, 0)`, [await entryId(`h2:${guildId}`), bobAccount], 'ledger_postings_amount_check');
  await refuse(`UPDATE ledger_holds SET posted_amount = amount + 1 WHERE entry_id = $1`, [await entryId(`h1:${guildId}`)], 'ledger_holds_posted_amount_check');
  await refuse(`UPDATE ledger_entries SET status = 'done' WHERE idempotency_key = $1`, [`g:${guildId}`], 'ledger_entries_status_check');
  await refuse(`UPDATE ledger_entries SET posted_at = NULL WHERE idempotency_key = $1`, [`g:${guildId}`], 'ledger_entries_status_times_check');
  await refuse(`UPDATE ledger_entries SET refs = '[]' WHERE idempotency_key = $1`, [`g:${guildId}`], 'ledger_entries_refs_object_check');
  expect((await ledger.validate(guildId)).ok).toBe(true);
});
