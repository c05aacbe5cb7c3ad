import { domainMismatches } from '../../activities/ledger/consistency';
import { createLedger } from '../../activities/ledger';
import type { PrismaClient } from '../../prisma/client';
import { poolOf } from '../../prisma/transactions';

/**
 * The guarantees, checked in SQL after the flows settled — independently of the ledger's own
 * `validate()`, which runs too: a bug that fools one should not fool both. Each check returns the rows
 * that break it; the report lists every one as a sentence.
 */
export interface Owed {
  guildId: string;
  /** Acknowledged operations recorded under one ledger key each: exactly one posted entry per key. */
  ledgerKeys: { kind: string; key: string }[];
  /** Acknowledged /daily interactions: exactly one daily entry names each. */
  dailyInteractions: string[];
  /** Top-ups the gateway took payment for: each settled and credited exactly once. */
  paidTopups: string[];
  /** Acknowledged purchases (Confirm clicked and answered): each recorded and finished. */
  purchases: string[];
  /** Acknowledged code orders (Confirm answered): each recorded and finished or waiting (for funds, an admin). */
  orders: string[];
  /** Acknowledged task reviews (Accept answered): each claim completed with its reward paid once. */
  taskAwards: { taskId: number; userId: string; reward: bigint }[];
  /** Acknowledged verifications (the member was told they are verified): each linked to that account. */
  verifications: { userId: string; robloxId: number }[];
  /** Limited items and the stock they started with: sold = completed, never below zero. */
  limitedItems: { id: number; initialStock: number }[];
  /** Acknowledged withdrawals (the flow said it started): the member charged once for what the game got, the rest given back once. */
  withdrawals: string[];
  /** Acknowledged purchases of a timed-role item and whether the buyer has the role at Discord now. */
  timedRoles: { purchaseId: string; hasRole: boolean }[];
}

/** How long after its end a timed role may still be on while its flow takes it back. */
const ROLE_REMOVAL_GRACE_SECONDS = 30;
/** How long after its expiry a withdrawal nobody claimed may still be escrowed while its flow gives it back. */
const WITHDRAWAL_EXPIRY_GRACE_SECONDS = 30;

type Check = (sql: Sql, owed: Owed) => Promise<string[]>;
type Sql = <R>(text: string, values?: unknown[]) => Promise<R[]>;


/** Every asset of the guild sums to zero over its accounts, and over its postings. */
const assetsSumToZero: Check = async (sql, { guildId }) =>
  (
    await sql<{ code: string; balances: string; postings: string }>(
      `SELECT s.code,
              (SELECT coalesce(sum(a.balance), 0) FROM ledger_accounts a WHERE a.asset_id = s.id)::text AS balances,
              (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.asset_id = s.id)::text AS postings
         FROM ledger_assets s WHERE s.guild_id = $1`,
      [guildId],
    )
  )
    .filter((r) => r.balances !== '0' || r.postings !== '0')
    .map((r) => `asset ${r.code} does not sum to zero: balances ${r.balances}, postings ${r.postings}`);

const noNegativeUser: Check = async (sql, { guildId }) =>
  (
    await sql<{ owner_id: string; code: string; balance: string; held: string }>(
      `SELECT a.owner_id, s.code, a.balance::text, a.held::text FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id
        WHERE a.guild_id = $1 AND a.owner_type = 'user' AND (a.balance < 0 OR a.held < 0 OR a.held > a.balance)`,
      [guildId],
    )
  ).map((r) => `user ${r.owner_id} has ${r.code} balance ${r.balance} (held ${r.held})`);

const balancesEqualPostings: Check = async (sql, { guildId }) =>
  (
    await sql<{ id: string; balance: string; postings: string }>(
      `SELECT a.id::text, a.balance::text, coalesce(sum(p.amount), 0)::text AS postings
         FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
        WHERE a.guild_id = $1 GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0)`,
      [guildId],
    )
  ).map((r) => `account ${r.id}: balance ${r.balance} but postings sum to ${r.postings}`);

const keysOnce: Check = async (sql, { guildId }) =>
  (
    await sql<{ key: string; n: number }>(
      `SELECT key, count(*)::int AS n FROM (
         SELECT idempotency_key AS key FROM ledger_entries WHERE guild_id = $1
         UNION ALL SELECT idempotency_key FROM ledger_archived_entries WHERE guild_id = $1) k
        GROUP BY key HAVING count(*) > 1`,
      [guildId],
    )
  ).map((r) => `ledger key ${r.key} applied ${r.n} times`);

/** Each acknowledged key: one entry, posted. */
const acknowledgedApplied: Check = async (sql, { ledgerKeys }) => {
  const rows = await sql<{ key: string; n: number; posted: number }>(
    `SELECT k.key, count(e.id)::int AS n, count(e.id) FILTER (WHERE e.status = 'posted')::int AS posted
       FROM unnest($1::text[]) AS k(key) LEFT JOIN ledger_entries e ON e.idempotency_key = k.key GROUP BY k.key`,
    [ledgerKeys.map((k) => k.key)],
  );
  const kindOf = new Map(ledgerKeys.map((k) => [k.key, k.kind]));
  return rows.filter((r) => r.n !== 1 || r.posted !== 1).map((r) => `acknowledged ${kindOf.get(r.key)} ${r.key}: ${r.n} entries, ${r.posted} posted (expected exactly one)`);
};

const dailyOnce: Check = async (sql, { guildId, dailyInteractions }) =>
  (
    await sql<{ id: string; n: number }>(
      `SELECT i.id, count(e.id)::int AS n FROM unnest($2::text[]) AS i(id)
         LEFT JOIN ledger_entries e ON e.guild_id = $1 AND e.type = 'daily' AND e.refs->>'interactionId' = i.id AND e.status = 'posted'
        GROUP BY i.id HAVING count(e.id) <> 1`,
      [guildId, dailyInteractions],
    )
  ).map((r) => `acknowledged /daily ${r.id}: ${r.n} rewards (expected exactly one)`);

/** Paid top-ups settled and credited once, with the amount charged; and nothing credited that is not settled. */
const topupsCreditedOnce: Check = async (sql, { guildId, paidTopups }) => {
  const paid = await sql<{ id: string; status: string | null; credited: boolean; entries: number; amount: string | null; credit: string | null }>(
    `SELECT t.id, p.status, p.credited_at IS NOT NULL AS credited, p.credit::text AS credit,
            (SELECT count(*)::int FROM ledger_entries e WHERE e.idempotency_key = 'topup:' || t.id || ':credit' AND e.status = 'posted') AS entries,
            (SELECT sum(x.amount)::text FROM ledger_entries e JOIN ledger_postings x ON x.entry_id = e.id JOIN ledger_accounts a ON a.id = x.account_id
              WHERE e.idempotency_key = 'topup:' || t.id || ':credit' AND a.owner_type = 'user') AS amount
       FROM unnest($1::text[]) AS t(id) LEFT JOIN payments p ON p.id = t.id`,
    [paidTopups],
  );
  const unpaidCredited = await sql<{ id: string; status: string }>(
    `SELECT p.id, p.status FROM payments p WHERE p.guild_id = $1 AND p.status <> 'settled'
        AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.idempotency_key = 'topup:' || p.id || ':credit')`,
    [guildId],
  );
  return [
    ...paid
      .filter((r) => r.status !== 'settled' || !r.credited || r.entries !== 1 || r.amount !== r.credit)
      .map((r) => `paid top-up ${r.id}: status ${r.status ?? 'missing'}, ${r.entries} credits of ${r.amount ?? 0} (expected one of ${r.credit ?? '?'})`),
    ...unpaidCredited.map((r) => `top-up ${r.id} is ${r.status} but was credited`),
  ];
};

const purchasesFinished: Check = async (sql, { purchases }) =>
  (
    await sql<{ id: string; status: string | null }>(
      `SELECT i.id, p.status FROM unnest($1::text[]) AS i(id) LEFT JOIN shop_purchases p ON p.id = i.id
        WHERE p.status IS NULL OR p.status NOT IN ('completed', 'failed', 'role_expired')`,
      [purchases],
    )
  ).map((r) => `acknowledged purchase ${r.id} is ${r.status ?? 'not recorded'}`);

const ordersFinished: Check = async (sql, { orders }) =>
  (
    await sql<{ id: string; status: string | null }>(
      `SELECT i.id, o.status FROM unnest($1::text[]) AS i(id) LEFT JOIN code_orders o ON o.id = i.id WHERE o.status IS NULL OR o.status = 'pending'`,
      [orders],
    )
  ).map((r) => `acknowledged order ${r.id} is ${r.status ?? 'not recorded'}`);

const tasksAwardedOnce: Check = async (sql, { taskAwards }) =>
  (
    await sql<{ task_id: number; user_id: string; status: string | null; paid: string | null; entries: number; reward: string }>(
      `SELECT a.task_id, a.user_id, a.reward::text, c.status, c.reward_paid::text AS paid,
              (SELECT count(*)::int FROM ledger_entries e WHERE e.idempotency_key = c.award_key AND e.status = 'posted') AS entries
         FROM unnest($1::int[], $2::text[], $3::bigint[]) AS a(task_id, user_id, reward)
         LEFT JOIN task_claims c ON c.task_id = a.task_id AND c.user_id = a.user_id`,
      [taskAwards.map((t) => t.taskId), taskAwards.map((t) => t.userId), taskAwards.map((t) => t.reward.toString())],
    )
  )
    .filter((r) => r.status !== 'completed' || r.paid !== r.reward || r.entries !== 1)
    .map((r) => `accepted claim of task ${r.task_id} by ${r.user_id}: ${r.status ?? 'not recorded'}, paid ${r.paid ?? 'nothing'} in ${r.entries} entries (expected ${r.reward} once)`);

const verifiedLinked: Check = async (sql, { guildId, verifications }) =>
  (
    await sql<{ user_id: string; expected: string; linked: string | null }>(
      `SELECT v.user_id, v.roblox_id::text AS expected, l.roblox_id::text AS linked
         FROM unnest($2::text[], $3::bigint[]) AS v(user_id, roblox_id)
         LEFT JOIN roblox_links l ON l.guild_id = $1 AND l.user_id = v.user_id
        WHERE l.roblox_id IS DISTINCT FROM v.roblox_id`,
      [guildId, verifications.map((v) => v.userId), verifications.map((v) => v.robloxId)],
    )
  ).map((r) => `verified member ${r.user_id}: linked to ${r.linked ?? 'nothing'} (expected Roblox ${r.expected})`);

/** Stock never below zero; what left the shelf is what completed purchases took. */
const stockAgrees: Check = async (sql, { limitedItems }) => {
  const rows = await sql<{ id: number; initial: number; stock: number; taken: number; completed: number; failed_taken: number }>(
    `SELECT i.id, l.initial, i.stock,
            coalesce(sum(p.quantity) FILTER (WHERE p.stock_taken), 0)::int AS taken,
            coalesce(sum(p.quantity) FILTER (WHERE p.status IN ('completed', 'role_expired')), 0)::int AS completed,
            coalesce(sum(p.quantity) FILTER (WHERE p.status = 'failed' AND p.stock_taken), 0)::int AS failed_taken
       FROM unnest($1::int[], $2::int[]) AS l(id, initial) JOIN shop_items i ON i.id = l.id
       LEFT JOIN shop_purchases p ON p.item_id = i.id
      GROUP BY i.id, l.initial, i.stock`,
    [limitedItems.map((i) => i.id), limitedItems.map((i) => i.initialStock)],
  );
  return rows.flatMap((r) => [
    ...(r.stock < 0 ? [`item ${r.id}: stock ${r.stock}`] : []),
    ...(r.initial - r.stock !== r.completed ? [`item ${r.id}: ${r.initial - r.stock} sold (from ${r.initial} to ${r.stock}) but ${r.completed} completed`] : []),
    ...(r.taken !== r.completed ? [`item ${r.id}: ${r.taken} units taken from stock for ${r.completed} completed`] : []),
    ...(r.failed_taken > 0 ? [`item ${r.id}: ${r.failed_taken} units of failed purchases not put back`] : []),
  ]);
};

/** No code in two orders or delivered twice; a completed order has exactly the codes it bought. */
const codesOnce: Check = async (sql, { guildId }) => [
  ...(
    await sql<{ hash: string; n: number }>(`SELECT hash, count(*)::int AS n FROM codes WHERE guild_id = $1 GROUP BY hash HAVING count(*) > 1`, [guildId])
  ).map((r) => `code ${r.hash.slice(0, 12)}… is in stock ${r.n} times`),
  ...(
    await sql<{ id: string; quantity: number; codes: number }>(
      `SELECT o.id, o.quantity, (SELECT count(*)::int FROM codes c WHERE c.order_id = o.id AND c.status = 'delivered') AS codes
         FROM code_orders o WHERE o.guild_id = $1 AND o.status = 'completed'`,
      [guildId],
    )
  )
    .filter((r) => r.codes !== r.quantity)
    .map((r) => `order ${r.id} completed with ${r.codes} codes delivered for ${r.quantity}`),
  ...(
    await sql<{ id: string; status: string; codes: number }>(
      `SELECT o.id, o.status, count(c.id)::int AS codes FROM code_orders o JOIN codes c ON c.order_id = o.id AND c.status = 'reserved'
        WHERE o.guild_id = $1 AND o.status IN ('failed', 'refunded') GROUP BY o.id`,
      [guildId],
    )
  ).map((r) => `order ${r.id} is ${r.status} but still reserves ${r.codes} codes`),
];

/**
 * A finished withdrawal moved the member's gems and pets by exactly what was delivered (the hold posted
 * once; a cancelled, expired, failed or refused one given back once: nothing); one still escrowed is the
 * game's to deliver once it claimed it, and must have expired when nobody did. (Gems never negative is
 * 'no negative user'; pets cannot go below zero: a constraint of pet_holdings.)
 */
const withdrawalsSettledOnce: Check = async (sql, { withdrawals }) =>
  (
    await sql<{ id: string; status: string | null; claimed: boolean; overdue: boolean; delivered_gems: string; delivered_pets: number; gems_moved: string; pets_moved: number }>(
      `SELECT i.id, w.status, w.game_id IS NOT NULL AS claimed, w.expires_at < now() - make_interval(secs => $2) AS overdue,
              coalesce(w.delivered_gems, 0)::text AS delivered_gems,
              (SELECT coalesce(sum((d->>'quantity')::int), 0)::int FROM jsonb_array_elements(coalesce(w.delivered_pets, '[]'::jsonb)) d) AS delivered_pets,
              (SELECT coalesce(-sum(x.amount), 0)::text FROM ledger_entries e JOIN ledger_postings x ON x.entry_id = e.id JOIN ledger_accounts a ON a.id = x.account_id
                WHERE e.idempotency_key LIKE 'withdraw:' || i.id || ':%' AND a.owner_type = 'user') AS gems_moved,
              (SELECT coalesce(-sum(m.delta), 0)::int FROM pet_movements m WHERE m.idempotency_key LIKE 'withdraw:' || i.id || ':%' AND m.owner_id = w.user_id) AS pets_moved
         FROM unnest($1::text[]) AS i(id) LEFT JOIN withdrawals w ON w.id = i.id`,
      [withdrawals, WITHDRAWAL_EXPIRY_GRACE_SECONDS],
    )
  ).flatMap((r) => {
    if (r.status === null) return [`acknowledged withdrawal ${r.id} is not recorded`];
    if (r.status === 'escrowed') return r.claimed || !r.overdue ? [] : [`withdrawal ${r.id} is still escrowed, unclaimed, past its expiry`];
    return r.gems_moved === r.delivered_gems && r.pets_moved === r.delivered_pets
      ? []
      : [`withdrawal ${r.id} is ${r.status}: the member lost ${r.gems_moved} gems and ${r.pets_moved} pets for ${r.delivered_gems} gems and ${r.delivered_pets} pets delivered`];
  });

/**
 * A timed role is on at Discord while its purchase runs, and off once it ended (unless another running
 * purchase of the member grants it); the flow takes it back at its end, never before.
 */
const timedRolesEnded: Check = async (sql, { timedRoles }) =>
  (
    await sql<{ id: string; has_role: boolean; status: string | null; expires: string | null; running: boolean; overdue: boolean; early: boolean; granted_elsewhere: boolean }>(
      `SELECT t.id, t.has_role, p.status, p.role_expires_at::text AS expires,
              p.status = 'completed' AND p.role_expires_at > now() AS running,
              p.status = 'completed' AND p.role_expires_at < now() - make_interval(secs => $3) AS overdue,
              coalesce(p.role_removed_at < p.role_expires_at, false) AS early,
              EXISTS (SELECT 1 FROM shop_purchases o WHERE o.guild_id = p.guild_id AND o.user_id = p.user_id AND o.role_id = p.role_id AND o.id <> p.id
                         AND o.status = 'completed' AND o.role_expires_at > now()) AS granted_elsewhere
         FROM unnest($1::text[], $2::bool[]) AS t(id, has_role) LEFT JOIN shop_purchases p ON p.id = t.id`,
      [timedRoles.map((t) => t.purchaseId), timedRoles.map((t) => t.hasRole), ROLE_REMOVAL_GRACE_SECONDS],
    )
  ).flatMap((r) => [
    ...(r.running && !r.has_role ? [`purchase ${r.id}: the role is off before its end at ${r.expires}`] : []),
    ...(r.early ? [`purchase ${r.id}: the role was removed before its end at ${r.expires}`] : []),
    ...(r.overdue ? [`purchase ${r.id}: its role ended at ${r.expires} but the purchase is still completed`] : []),
    ...((r.status === 'role_expired' || r.status === 'failed') && r.has_role && !r.granted_elsewhere ? [`purchase ${r.id} is ${r.status} but the role is still on`] : []),
  ]);

/** Rows whose flow is short and must have finished once the flows settled. */
const noStuckRows: Check = async (sql, { guildId }) => [
  ...(await sql<{ id: string }>(`SELECT id FROM shop_purchases WHERE guild_id = $1 AND status = 'pending'`, [guildId])).map((r) => `purchase ${r.id} is still pending`),
  ...(await sql<{ id: string; status: string }>(`SELECT id, status FROM game_deposits WHERE guild_id = $1 AND status IN ('pending', 'accepted')`, [guildId])).map(
    (r) => `deposit ${r.id} is still ${r.status}`,
  ),
];

const CHECKS: Record<string, Check> = {
  'assets sum to zero': assetsSumToZero,
  'no negative user': noNegativeUser,
  'balances equal postings': balancesEqualPostings,
  'keys once': keysOnce,
  'acknowledged applied once': acknowledgedApplied,
  'daily once': dailyOnce,
  'paid top-ups credited once': topupsCreditedOnce,
  'purchases finished': purchasesFinished,
  'orders finished': ordersFinished,
  'tasks awarded once': tasksAwardedOnce,
  'verified members linked': verifiedLinked,
  'stock agrees': stockAgrees,
  'codes once': codesOnce,
  'withdrawals settled once': withdrawalsSettledOnce,
  'timed roles ended': timedRolesEnded,
  'no stuck rows': noStuckRows,
};

export interface InvariantReport {
  /** Every violation, prefixed by the check that found it. */
  violations: string[];
  checks: number;
}

export async function checkInvariants(prisma: PrismaClient, owed: Owed): Promise<InvariantReport> {
  const pool = poolOf(prisma);
  const sql: Sql = async <R>(text: string, values?: unknown[]) => (await pool.query(text, values)).rows as R[];
  const violations: string[] = [];
  // The project's own checks first: the ledger's invariants and the domain rows against their holds
  // (every compensation applied: a failed order's or purchase's hold released).
  const report = await createLedger(prisma).validate(owed.guildId);
  if (!report.ok) violations.push(`ledger validate(): ${summarise(report)}`);
  for (const m of await domainMismatches(pool, owed.guildId)) violations.push(`compensation: ${m.kind} ${m.id} is ${m.status} but its ledger key ${m.key} is ${m.ledger} (${m.problem})`);
  for (const [name, check] of Object.entries(CHECKS)) for (const v of await check(sql, owed)) violations.push(`${name}: ${v}`);
  return { violations, checks: Object.keys(CHECKS).length + 2 };
}

function summarise(report: Awaited<ReturnType<ReturnType<typeof createLedger>['validate']>>): string {
  const lists = { negativeUserAccounts: report.negativeUserAccounts, balanceMismatches: report.balanceMismatches, duplicateKeys: report.duplicateKeys, unbalancedEntries: report.unbalancedEntries, inconsistentEntries: report.inconsistentEntries, checkpointMismatches: report.checkpointMismatches };
  const assets = report.assets.filter((a) => !a.ok).length;
  return [...(assets ? [`${assets} assets not summing to zero`] : []), ...Object.entries(lists).filter(([, l]) => l.length).map(([k, l]) => `${l.length} ${k}`)].join(', ');
}
