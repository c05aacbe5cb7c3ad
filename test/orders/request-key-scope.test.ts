import { ensurePackages } from '../../activities/codes/packages';
import { createOrder } from '../../activities/orders/orders';
import { addItem, createPurchase } from '../../activities/shop';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, snowflake } from '../helpers/ledger';

/**
 * Order and purchase ids come from buttons (the request's interaction id): a click that reuses another
 * member's or another server's request gets a refusal, never their order or purchase, and their row does
 * not change.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

it("an order id and request key reused by another member or server are refused and do not return the other's order", async () => {
  const guildB = await createGuild(db.prisma);
  const guildA = await createGuild(db.prisma);
  const [pkgB] = await ensurePackages(db.prisma, guildB);
  const [pkgA] = await ensurePackages(db.prisma, guildA);
  const orderId = snowflake();
  const ownerB = snowflake();
  const own = { orderId, requestKey: `order:${orderId}`, guildId: guildB, userId: ownerB, packageId: pkgB!.id, expectedPrice: null };
  const first = await createOrder(db.prisma, own);
  expect(first.ok).toBe(true);
  const before = await db.prisma.codeOrder.findUniqueOrThrow({ where: { id: orderId } });

  for (const other of [
    { ...own, guildId: guildA, userId: snowflake(), packageId: pkgA!.id },
    { ...own, userId: snowflake() },
  ]) {
    const r = await createOrder(db.prisma, other);
    expect(r).toEqual({ ok: false, type: 'OrderConflict', reason: 'This request belongs to another order: nothing was changed.' });
  }
  expect(await db.prisma.codeOrder.findUniqueOrThrow({ where: { id: orderId } })).toEqual(before);
  // The member's own confirm again: the same order.
  const again = await createOrder(db.prisma, own);
  expect(again.ok && again.order.id).toBe(orderId);
});

it("a purchase request key reused by another member or server is refused and does not return the other's purchase", async () => {
  const guildB = await createGuild(db.prisma);
  const guildA = await createGuild(db.prisma);
  const actor = { actorType: 'user', actorId: 'discord:1' } as const;
  const itemB = await addItem(db.prisma, guildB, { name: 'Crown', price: 5n }, actor);
  const itemA = await addItem(db.prisma, guildA, { name: 'Crown', price: 5n }, actor);
  const requestId = snowflake();
  const own = { purchaseId: requestId, requestKey: `buy:${requestId}`, guildId: guildB, userId: snowflake(), itemId: itemB.id, quantity: 1, memberRoleIds: [] as string[] };
  const first = await createPurchase(db.prisma, own);
  expect(first.ok).toBe(true);
  const before = await db.prisma.purchase.findUniqueOrThrow({ where: { requestKey: own.requestKey } });

  for (const other of [
    { ...own, purchaseId: snowflake(), guildId: guildA, userId: snowflake(), itemId: itemA.id },
    { ...own, purchaseId: snowflake(), userId: snowflake() },
  ]) {
    const r = await createPurchase(db.prisma, other);
    expect(r.ok).toBe(false);
    expect(r.purchase).toBeNull();
    expect(r.ok === false && r.error.message).toBe('This request belongs to another purchase: nothing was changed.');
  }
  expect(await db.prisma.purchase.findUniqueOrThrow({ where: { requestKey: own.requestKey } })).toEqual(before);
  expect(await db.prisma.purchase.count({ where: { guildId: guildA } })).toBe(0);
});
