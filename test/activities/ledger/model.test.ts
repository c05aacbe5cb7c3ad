import fc from 'fast-check';
import {
  IdempotencyConflictError,
  InsufficientFundsError,
  systemAccount,
  userAccount,
  type AccountRef,
  type Ledger,
  type MovementResult,
} from '../../../activities/ledger';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, ledgerOn, snowflake } from '../../helpers/ledger';

/**
 * Model test: random sequences of economy operations — daily rewards, gives, admin add/remove, purchases,
 * holds that are posted, partly posted or voided, the same operation sent twice at once, replays and
 * conflicting reuses of earlier keys — run against the real ledger in concurrent batches, and against a
 * plain in-memory model.
 *
 * Batches run with Promise.all. Within a batch no user is debited twice and no debited user is also
 * credited, so each operation's outcome does not depend on how the batch interleaves: the model predicts
 * every outcome (success, insufficient funds, replay, conflict) from the state before the batch, and the
 * test checks each one, then every balance and the validate() report.
 */

const USERS = 6;
const MAX_BATCH = 8;

type Who = number; // index into the run's users
type Op = { twice: boolean } & (
  | { kind: 'daily' | 'adminAdd'; user: Who; amount: bigint }
  | { kind: 'adminRemove' | 'purchase'; user: Who; amount: bigint }
  | { kind: 'give'; from: Who; to: Who; amount: bigint }
  | { kind: 'hold'; from: Who; to: Who | 'sink'; amount: bigint; outcome: 'post' | 'void' | 'partial'; partialPct: number }
  | { kind: 'replay' | 'conflict'; of: number }
);

const who = fc.integer({ min: 0, max: USERS - 1 });
const amount = fc.bigInt({ min: 1n, max: 60n });
const twice = fc.integer({ min: 0, max: 9 }).map((n) => n < 3); // 30% of operations are sent twice at once
const other = (a: Who, k: number): Who => (a + 1 + (k % (USERS - 1))) % USERS;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('daily' as const), user: who, amount, twice }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adminAdd' as const), user: who, amount, twice }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('adminRemove' as const), user: who, amount, twice }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('purchase' as const), user: who, amount, twice }) },
  {
    weight: 4,
    arbitrary: fc.record({ from: who, k: fc.nat(), amount, twice }).map(({ from, k, amount, twice }): Op => ({ kind: 'give', from, to: other(from, k), amount, twice })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ from: who, k: fc.nat(), toSink: fc.boolean(), amount, outcome: fc.constantFrom('post' as const, 'void' as const, 'partial' as const), partialPct: fc.integer({ min: 1, max: 99 }), twice })
      .map(({ from, k, toSink, ...rest }): Op => ({ kind: 'hold', from, to: toSink ? 'sink' : other(from, k), ...rest })),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('replay' as const, 'conflict' as const), of: fc.nat(), twice: fc.constant(false) }) },
);

type Outcome = { ok: true; entryId: bigint; replayed: boolean } | { ok: false; error: 'insufficient' | 'conflict' };
type Movement = { debit: Who | 'issuance'; credit: Who | 'issuance' | 'sink'; amount: bigint };

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

/** The movement an op makes when it succeeds (a hold: what its post moves). */
function movementOf(op: Op): Movement | null {
  switch (op.kind) {
    case 'daily':
    case 'adminAdd':
      return { debit: 'issuance', credit: op.user, amount: op.amount };
    case 'adminRemove':
      return { debit: op.user, credit: 'issuance', amount: op.amount };
    case 'purchase':
      return { debit: op.user, credit: 'sink', amount: op.amount };
    case 'give':
      return { debit: op.from, credit: op.to, amount: op.amount };
    case 'hold':
      return { debit: op.from, credit: op.to, amount: op.outcome === 'void' ? 0n : op.outcome === 'post' ? op.amount : partialOf(op.amount, op.partialPct) };
    default:
      return null;
  }
}

const partialOf = (amount: bigint, pct: number): bigint => {
  const p = (amount * BigInt(pct)) / 100n;
  return p < 1n ? 1n : p;
};
/** What the debit needs available for the op to go through (a hold reserves its full amount). */
const neededOf = (op: Op): bigint => ('amount' in op ? op.amount : 0n);

async function runScenario(ops: Op[]): Promise<void> {
  const guildId = await createGuild(prisma);
  const users = Array.from({ length: USERS }, () => snowflake());
  const acc = (w: Who | 'issuance' | 'sink'): AccountRef => (typeof w === 'number' ? userAccount(users[w]!) : systemAccount(w));
  const model = new Map<string, bigint>(); // account name → balance
  const name = (w: Who | 'issuance' | 'sink') => String(w);
  const bal = (w: Who | 'issuance' | 'sink') => model.get(name(w)) ?? 0n;
  const keyOf = (i: number) => `m:${guildId}:${i}`;

  // Resolve replays/conflicts to an earlier movement op (or drop them).
  const resolved = ops.map((op, i) => {
    if (op.kind !== 'replay' && op.kind !== 'conflict') return { op, i, ref: -1 };
    const candidates = ops.slice(0, i).map((o, j) => (o.kind === 'replay' || o.kind === 'conflict' ? -1 : j)).filter((j) => j >= 0);
    return { op, i, ref: candidates.length ? candidates[op.of % candidates.length]! : -2 };
  }).filter((r) => r.ref !== -2);

  // Greedy batches: disjoint debited users, no debited user credited, replays after their original.
  const batches: (typeof resolved)[] = [];
  const batchOf = new Map<number, number>();
  let current: typeof resolved = [];
  let debited = new Set<number>();
  let credited = new Set<number>();
  for (const r of resolved) {
    const m = r.ref >= 0 ? null : movementOf(r.op);
    const d = m && typeof m.debit === 'number' ? m.debit : undefined;
    const c = m && typeof m.credit === 'number' ? m.credit : undefined;
    const clash =
      current.length >= MAX_BATCH ||
      (d !== undefined && (debited.has(d) || credited.has(d))) ||
      (c !== undefined && debited.has(c)) ||
      (r.ref >= 0 && batchOf.get(r.ref) === batches.length);
    if (clash) {
      batches.push(current);
      current = [];
      debited = new Set();
      credited = new Set();
    }
    current.push(r);
    batchOf.set(r.i, batches.length);
    if (d !== undefined) debited.add(d);
    if (c !== undefined) credited.add(c);
  }
  batches.push(current);

  const outcomes = new Map<number, Outcome>(); // index of op → its (first call's) outcome

  async function call(r: (typeof resolved)[number]): Promise<Outcome> {
    const op = r.ref >= 0 ? ops[r.ref]! : r.op;
    const key = keyOf(r.ref >= 0 ? r.ref : r.i);
    const m = movementOf(op)!;
    const conflict = r.op.kind === 'conflict';
    const amount = 'amount' in op ? op.amount + (conflict ? 1n : 0n) : 0n;
    const actor = { type: 'system', id: 'model' } as const;
    try {
      let result: MovementResult;
      if (op.kind === 'hold') {
        const meta = { guildId, key, type: 'purchase', actor, asset: 'currency', from: acc(op.from), to: acc(op.to), amount } as const;
        result = await ledger.hold(meta);
        if (r.ref < 0) {
          if (op.outcome === 'void') await ledger.voidHold({ key });
          else await ledger.postHold({ key, amount: op.outcome === 'post' ? undefined : partialOf(op.amount, op.partialPct) });
        }
      } else {
        const type = op.kind === 'daily' ? 'daily' : op.kind === 'give' ? 'give' : op.kind === 'purchase' ? 'purchase' : 'admin_adjust';
        result = await ledger.transfer({ guildId, key, type, actor, asset: 'currency', from: acc(m.debit), to: acc(m.credit), amount });
      }
      return { ok: true, entryId: result.entry.id, replayed: result.replayed };
    } catch (err) {
      if (err instanceof InsufficientFundsError) return { ok: false, error: 'insufficient' };
      if (err instanceof IdempotencyConflictError) return { ok: false, error: 'conflict' };
      throw err;
    }
  }

  for (const batch of batches) {
    // Predictions from the state before the batch.
    const predicted = new Map<number, Outcome['ok'] | 'replay' | 'conflict' | 'skip'>();
    for (const r of batch) {
      if (r.ref >= 0) {
        const original = outcomes.get(r.ref)!;
        predicted.set(r.i, !original.ok ? 'skip' : r.op.kind === 'replay' ? 'replay' : 'conflict');
      } else {
        const m = movementOf(r.op)!;
        predicted.set(r.i, m.debit === 'issuance' || bal(m.debit) >= neededOf(r.op));
      }
    }
    const runs = batch
      .filter((r) => predicted.get(r.i) !== 'skip')
      .map(async (r) => ({ r, results: await Promise.all(Array.from({ length: r.op.twice ? 2 : 1 }, () => call(r))) }));

    for (const { r, results } of await Promise.all(runs)) {
      const expected = predicted.get(r.i)!;
      const where = `op ${r.i} ${JSON.stringify(r.op, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} (batch of ${batch.length})`;
      if (expected === 'replay') {
        const original = outcomes.get(r.ref) as Extract<Outcome, { ok: true }>;
        expect({ where, results }).toEqual({ where, results: [{ ok: true, entryId: original.entryId, replayed: true }] });
      } else if (expected === 'conflict') {
        expect({ where, results }).toEqual({ where, results: [{ ok: false, error: 'conflict' }] });
      } else if (expected) {
        // Exactly one first application; a concurrent duplicate replays it.
        expect({ where, fresh: results.filter((o) => o.ok && !o.replayed).length, ok: results.every((o) => o.ok) }).toEqual({ where, fresh: 1, ok: true });
        expect(new Set(results.map((o) => (o.ok ? o.entryId : null))).size).toBe(1);
        outcomes.set(r.i, results.find((o) => o.ok && !o.replayed)!);
      } else {
        expect({ where, results }).toEqual({ where, results: results.map(() => ({ ok: false, error: 'insufficient' })) });
        outcomes.set(r.i, results[0]!);
      }
    }
    // Apply the successes to the model (sums commute: the batch's order does not matter).
    for (const r of batch) {
      if (r.ref >= 0 || predicted.get(r.i) !== true) continue;
      const m = movementOf(r.op)!;
      model.set(name(m.debit), bal(m.debit) - m.amount);
      model.set(name(m.credit), bal(m.credit) + m.amount);
    }
  }

  for (const w of [...users.keys(), 'issuance', 'sink'] as const) {
    expect({ account: w, ...(await ledger.balance(guildId, acc(w), 'currency')) }).toEqual({ account: w, balance: bal(w), held: 0n, available: bal(w) });
  }
  const report = await ledger.validate(guildId);
  expect(report).toMatchObject({ ok: true, balanceMismatches: [], unbalancedEntries: [], inconsistentEntries: [], negativeUserAccounts: [] });
  const applied = [...outcomes.values()].filter((o) => o.ok).length;
  expect(await prisma.journalEntry.count({ where: { guildId } })).toBe(applied);
}

it('matches a simple model under random concurrent operations, and validates clean', async () => {
  // Every run starts by funding each user, so most operations can go through.
  const funding: Op[] = Array.from({ length: USERS }, (_, user) => ({ kind: 'daily', user, amount: 50n, twice: false }));
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 50 }), async (ops) => runScenario([...funding, ...ops])),
    { numRuns: 50 },
  );
}, 120_000);
