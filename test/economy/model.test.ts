import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import fc from 'fast-check';
import { adjustBalance, claimDaily, give, updateEconomySettings } from '../../activities/economy';
import { systemAccount, userAccount } from '../../activities/ledger';
import { AppError } from '../../lib/errors';
import type { ShopItem } from '../../prisma/client';
import type { PurchaseState } from '../../lib/flows/shop';
import { fund, inventoryOf, item, newPurchaseId, startPurchase, startShopEnv, type RunningTestWorker, type ShopEnv } from '../shop/helpers';

/**
 * Model test across the economy and the shop: random batches of /daily, /give, admin add/remove and
 * purchases (the real `purchase` workflow), each possibly sent twice at once, all running concurrently
 * against the real services. The model does not guess who wins a race: it takes each operation's
 * reported outcome, applies only the successes to plain numbers, and then the database must agree —
 * every balance, the sink, each item's stock and every inventory — and the ledger's validate report
 * must be clean. Exactly-once is what makes the sums match: a duplicate that applied twice, a refusal
 * that changed something, or a purchase that kept money without stock all break them.
 */

const USERS = 5;
const ADMINS = 2;
const ADJUST_LIMIT = 5;
const DAILY = 100n;

type Op = { twice: boolean } & (
  | { kind: 'daily'; user: number }
  | { kind: 'give'; from: number; to: number; amount: bigint }
  | { kind: 'adjust'; admin: number; user: number; amount: bigint }
  | { kind: 'purchase'; user: number; item: number; quantity: number }
);

const user = fc.integer({ min: 0, max: USERS - 1 });
const twice = fc.integer({ min: 0, max: 9 }).map((n) => n < 3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('daily' as const), user, twice }),
  fc.record({ kind: fc.constant('give' as const), from: user, to: user, amount: fc.bigInt({ min: 1n, max: 150n }), twice }),
  fc.record({
    kind: fc.constant('adjust' as const),
    admin: fc.integer({ min: 0, max: ADMINS - 1 }),
    user,
    amount: fc.oneof(fc.bigInt({ min: 1n, max: 80n }), fc.bigInt({ min: -120n, max: -1n })),
    twice,
  }),
  fc.record({ kind: fc.constant('purchase' as const), user, item: fc.integer({ min: 0, max: 2 }), quantity: fc.integer({ min: 1, max: 3 }), twice }),
);

/** What an operation did, as its caller saw it: the member-visible effect or a refusal's code. */
type Outcome = { ok: true; deltas: [number, bigint][]; bought?: { user: number; item: number; quantity: number } } | { ok: false; code: string };

describe('economy and shop model', () => {
  let env: ShopEnv;
  let worker: RunningTestWorker;
  let guildId: string;
  let run = 0;
  /** Successes and refusals per kind over all runs: the generator must exercise both sides of each. */
  const seen = new Map<string, { ok: number; refused: number }>();

  beforeAll(async () => {
    env = await startShopEnv();
    worker = await env.startWorker();
    guildId = env.demo.guild.id;
    await updateEconomySettings(env.prisma, {
      guildId,
      actor: { type: 'system', id: 'model-test' },
      change: { dailyAmount: DAILY, dailyCooldownSeconds: 3600, adminAdjustLimitPerMinute: ADJUST_LIMIT },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.close();
  });

  it('every outcome is all or nothing and the books always balance', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 6, maxLength: 18 }), fc.array(fc.bigInt({ min: 0n, max: 300n }), { minLength: USERS, maxLength: USERS }), async (ops, funding) => {
        run += 1;
        // Fresh members, admins and items per run: runs never share a balance, a cooldown or a rate limit.
        const users = Array.from({ length: USERS }, (_, i) => {
          const u = env.discord.createUser({ username: `model-${run}-${i}` });
          env.discord.addMember(guildId, u.id);
          return u.id;
        });
        const admins = Array.from({ length: ADMINS }, (_, i) => `discord:model-admin-${run}-${i}`);
        const items: ShopItem[] = [
          await item(env, { name: `Limited ${run}`, price: 30n, stock: 4 }),
          await item(env, { name: `Unlimited ${run}`, price: 10n }),
          await item(env, { name: `One each ${run}`, price: 5n, perUserLimit: 2 }),
        ];
        const model = new Map<string, bigint>(users.map((u, i) => [u, funding[i]!]));
        for (const [i, u] of users.entries()) if (funding[i]! > 0n) await fund(env, u, funding[i]!);
        const sinkBefore = (await env.ledger.balance(guildId, systemAccount('sink'), 'currency')).balance;

        // Each op gets one id; a `twice` op is the same request sent again at the same moment (a retry) —
        // except /daily, where the second is another click (Discord never redelivers an interaction).
        const requests = ops.flatMap((op, i) => {
          const id = `${run}${String(i).padStart(3, '0')}${newPurchaseId()}`;
          if (!op.twice) return [{ op, id }];
          return [{ op, id }, { op, id: op.kind === 'daily' ? `${id}1` : id }];
        });
        const outcomes = await Promise.all(requests.map(({ op, id }) => perform(op, id, users, admins, items)));
        requests.forEach(({ op }, i) => {
          const tally = seen.get(op.kind) ?? { ok: 0, refused: 0 };
          if (outcomes[i]!.ok) tally.ok += 1;
          else tally.refused += 1;
          seen.set(op.kind, tally);
        });

        // A request applies at most once: its successes (the first and any replay) are the same effect.
        // (A refusal followed by a success is fine: the refusal changed nothing.)
        const applied = new Map<string, Outcome>();
        requests.forEach(({ id }, i) => {
          const outcome = outcomes[i]!;
          if (!outcome.ok) return;
          const first = applied.get(id);
          if (first) expect(outcome).toEqual(first);
          else applied.set(id, outcome);
        });
        const bought = new Map<string, number>();
        let spent = 0n;
        for (const outcome of applied.values()) {
          if (!outcome.ok) continue;
          for (const [who, delta] of outcome.deltas) model.set(users[who]!, model.get(users[who]!)! + delta);
          if (outcome.bought) {
            const { user: who, item: which, quantity } = outcome.bought;
            const key = `${who}:${which}`;
            bought.set(key, (bought.get(key) ?? 0) + quantity);
            spent += items[which]!.price * BigInt(quantity);
          }
        }

        for (const [who, u] of users.entries()) {
          const b = await env.ledger.balance(guildId, userAccount(u), 'currency');
          expect({ user: who, balance: b.balance, held: b.held }).toEqual({ user: who, balance: model.get(u), held: 0n });
          for (const [which, it] of items.entries()) {
            expect({ user: who, item: which, owned: await inventoryOf(env.prisma, guildId, u, it.id) }).toEqual({ user: who, item: which, owned: bought.get(`${who}:${which}`) ?? 0 });
          }
          expect(bought.get(`${who}:2`) ?? 0).toBeLessThanOrEqual(2);
        }
        const soldLimited = [...bought.entries()].filter(([k]) => k.endsWith(':0')).reduce((n, [, q]) => n + q, 0);
        expect((await env.prisma.shopItem.findUniqueOrThrow({ where: { id: items[0]!.id } })).stock).toBe(4 - soldLimited);
        expect((await env.ledger.balance(guildId, systemAccount('sink'), 'currency')).balance - sinkBefore).toBe(spent);

        // Business rules the races must not break.
        const successes = (pred: (op: Op) => boolean) => [...applied.keys()].filter((id) => pred(requests.find((r) => r.id === id)!.op));
        for (let u = 0; u < USERS; u++) expect(successes((op) => op.kind === 'daily' && op.user === u).length).toBeLessThanOrEqual(1);
        for (let a = 0; a < ADMINS; a++) expect(successes((op) => op.kind === 'adjust' && op.admin === a).length).toBeLessThanOrEqual(ADJUST_LIMIT);

        const report = await env.ledger.validate(guildId);
        expect(report.ok).toBe(true);
      }),
      { numRuns: 15 },
    );
    for (const kind of ['daily', 'give', 'adjust', 'purchase']) {
      expect({ kind, ok: (seen.get(kind)?.ok ?? 0) > 0, refused: (seen.get(kind)?.refused ?? 0) > 0 }).toEqual({ kind, ok: true, refused: true });
    }
  });

  /** Runs one request through the real service (or workflow) and reports what it did. */
  async function perform(op: Op, id: string, users: string[], admins: string[], items: ShopItem[]): Promise<Outcome> {
    try {
      switch (op.kind) {
        case 'daily': {
          const r = await claimDaily(env.prisma, { guildId, userId: users[op.user]!, interactionId: id });
          return { ok: true, deltas: [[op.user, r.amount]] };
        }
        case 'give': {
          await give(env.ledger, { guildId, fromUserId: users[op.from]!, to: { id: users[op.to]!, bot: false, member: true }, amount: op.amount, interactionId: id });
          return { ok: true, deltas: [[op.from, -op.amount], [op.to, op.amount]] };
        }
        case 'adjust': {
          await adjustBalance(env.prisma, {
            guildId,
            actor: { type: 'user', id: admins[op.admin]! },
            userId: users[op.user]!,
            amount: op.amount,
            reason: 'model test',
            key: id,
          });
          return { ok: true, deltas: [[op.user, op.amount]] };
        }
        case 'purchase': {
          const state = await purchase(op, id, users, items);
          if (state.status !== 'completed') return { ok: false, code: state.failureReason ?? state.status };
          return { ok: true, deltas: [[op.user, -items[op.item]!.price * BigInt(op.quantity)]], bought: { user: op.user, item: op.item, quantity: op.quantity } };
        }
      }
    } catch (err) {
      // Refusals are the services' typed errors; anything else is a bug the test must show.
      if (err instanceof AppError) return { ok: false, code: err.code };
      throw err;
    }
  }

  async function purchase(op: Extract<Op, { kind: 'purchase' }>, id: string, users: string[], items: ShopItem[]): Promise<PurchaseState> {
    const input = { purchaseId: id, requestKey: `model:${id}`, itemId: items[op.item]!.id, userId: users[op.user]!, quantity: op.quantity };
    try {
      return await (await startPurchase(env, input)).result();
    } catch (err) {
      // The duplicate of a request finds the running flow, as a double click does.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      return env.temporal.client.workflow.getHandle(`purchase:${id}`).result();
    }
  }
});
