import { InsufficientFundsError, systemAccount, userAccount, type AccountRef, type Ledger } from '../../../activities/ledger';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

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

async function sumOfUsers(guildId: string): Promise<bigint> {
  const accounts = await prisma.account.findMany({ where: { guildId, ownerType: 'user' } });
  return accounts.reduce((sum, a) => sum + a.balance, 0n);
}

it('50 concurrent transfers of a whole balance: exactly one goes through, 49 are refused', async () => {
  const guildId = await createGuild(prisma);
  const payer = snowflake();
  const payees = Array.from({ length: 50 }, () => snowflake());
  await fund(ledger, guildId, payer, 1000n);

  const outcomes = await Promise.allSettled(
    payees.map((to, i) =>
      ledger.transfer({ guildId, key: `give:${guildId}:${i}`, type: 'give', actor: { type: 'user', id: payer }, asset: 'currency', from: userAccount(payer), to: userAccount(to), amount: 1000n }),
    ),
  );
  const ok = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  expect(ok).toHaveLength(1);
  expect(refused).toHaveLength(49);
  for (const r of refused) expect(r.reason).toBeInstanceOf(InsufficientFundsError);

  const winner = payees[outcomes.findIndex((o) => o.status === 'fulfilled')]!;
  expect(await ledger.balance(guildId, userAccount(payer), 'currency')).toEqual({ balance: 0n, held: 0n, available: 0n });
  expect((await ledger.balance(guildId, userAccount(winner), 'currency')).balance).toBe(1000n);
  expect(await sumOfUsers(guildId)).toBe(1000n);
  expect(await prisma.journalEntry.count({ where: { guildId } })).toBe(2);
  expect((await ledger.validate(guildId)).ok).toBe(true);
});

it('creates the same new accounts from many concurrent calls without deadlock or duplicates', async () => {
  const guildId = await createGuild(prisma);
  const users = [snowflake(), snowflake(), snowflake(), snowflake()];
  await Promise.all(
    Array.from({ length: 24 }, (_, i) => {
      // Each call lists the new accounts in its own order; the ledger sorts them into its lock order.
      const order = [...users].sort(() => (((i * 7) % 5) - 2 > 0 ? 1 : -1));
      return ledger.record({
        guildId,
        key: `airdrop:${guildId}:${i}`,
        type: 'reward',
        actor: SYSTEM,
        postings: [
          ...order.map((u) => ({ account: userAccount(u), asset: 'currency', amount: 5n })),
          { account: systemAccount('issuance'), asset: 'currency', amount: -20n },
        ],
      });
    }),
  );
  expect(await prisma.account.count({ where: { guildId } })).toBe(5);
  for (const u of users) expect((await ledger.balance(guildId, userAccount(u), 'currency')).balance).toBe(120n);
  expect((await ledger.validate(guildId)).ok).toBe(true);
});

it('8 workers moving money in random directions among 5 accounts for 2 s: no deadlock, no error but refusals', async () => {
  const guildId = await createGuild(prisma);
  const users = Array.from({ length: 5 }, () => snowflake());
  // Only two start funded: the others are created by the concurrent movements themselves.
  await fund(ledger, guildId, users[0]!, 500n);
  await fund(ledger, guildId, users[1]!, 500n);

  const counts = { transfers: 0, holds: 0, refusals: 0 };
  const errors: unknown[] = [];
  const deadline = performance.now() + 2000;
  let seq = 0;
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  async function worker(w: number): Promise<void> {
    while (performance.now() < deadline) {
      const i = random(5);
      const j = (i + 1 + random(4)) % 5; // a different account, either direction
      const from: AccountRef = userAccount(users[i]!);
      const to: AccountRef = userAccount(users[j]!);
      const amount = BigInt(1 + random(60));
      const key = `w${w}:${(seq += 1)}`;
      const meta = { guildId, key, type: 'give', actor: SYSTEM, asset: 'currency', from, to, amount } as const;
      try {
        if (random(3) === 0) {
          await ledger.hold(meta);
          counts.holds += 1;
          if (random(2) === 0) await ledger.postHold({ key, amount: BigInt(1 + random(Number(amount))) });
          else await ledger.voidHold({ key });
        } else {
          await ledger.transfer(meta);
          counts.transfers += 1;
        }
      } catch (err) {
        if (err instanceof InsufficientFundsError) counts.refusals += 1;
        else errors.push(err);
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));

  expect(errors).toEqual([]);
  expect(counts.transfers).toBeGreaterThan(50);
  expect(counts.holds).toBeGreaterThan(10);
  expect(await sumOfUsers(guildId)).toBe(1000n);
  const report = await ledger.validate(guildId);
  expect(report).toMatchObject({ ok: true, balanceMismatches: [], negativeUserAccounts: [] });
});
