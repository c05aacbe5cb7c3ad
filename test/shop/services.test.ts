import fc from 'fast-check';
import {
  addItem,
  applyInventoryMovement,
  createPurchase,
  editItem,
  findItem,
  listItems,
  removeItem,
  restock,
  takeStock,
  type InventoryMovementInput,
} from '../../activities/shop';
import { ValidationError } from '../../lib/errors';
import type { PrismaClient } from '../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, ledgerOn, snowflake } from '../helpers/ledger';

/** The shop's services against PostgreSQL: validation, idempotency and the stock/inventory invariants under concurrency. */
describe('shop services', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let guildId: string;
  const actor = { actorType: 'user', actorId: 'discord:1' } as const;

  beforeAll(async () => {
    db = await createTestDatabase();
    // A bigger pool than the test database's own 4, for the concurrency tests.
    prisma = ledgerOn(db.url, 12).prisma;
    guildId = await createGuild(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  let n = 0;
  const name = (prefix: string) => `${prefix} ${(n += 1)}`;
  const stockOf = async (id: number) => (await prisma.shopItem.findUniqueOrThrow({ where: { id } })).stock;

  describe('items', () => {
    it('validates, audits, keeps live names unique (case-insensitive) and soft-deletes', async () => {
      const item = await addItem(prisma, guildId, { name: 'Lantern', price: 30n, stock: 2, emoji: '🏮' }, actor);
      expect(item).toMatchObject({ name: 'Lantern', price: 30n, stock: 2, assetCode: 'currency', active: true, deletedAt: null });
      await expect(addItem(prisma, guildId, { name: 'lantern', price: 1n }, actor)).rejects.toMatchObject({ code: 'item_name_taken' });
      await expect(addItem(prisma, guildId, { name: 'X', price: 1n, roleDurationSeconds: 60 }, actor)).rejects.toThrow('A role duration needs a role');
      await expect(addItem(prisma, guildId, { name: 'X', price: -1n }, actor)).rejects.toBeInstanceOf(ValidationError);
      await expect(addItem(prisma, guildId, { name: 'X', price: 1n, stock: -3 }, actor)).rejects.toThrow('Stock cannot be negative.');
      await expect(addItem(prisma, guildId, { name: ' ', price: 1n }, actor)).rejects.toThrow('A name is needed.');
      await expect(addItem(prisma, guildId, { name: 'X', price: 1n, assetCode: 'rubies' }, actor)).rejects.toThrow('This server has no asset "rubies".');
      await expect(editItem(prisma, guildId, item.id, {}, actor)).rejects.toThrow('Nothing to change');
      await expect(editItem(prisma, guildId, item.id, { roleDurationSeconds: 5 }, actor)).rejects.toThrow('A role duration needs a role');

      const edited = await editItem(prisma, guildId, item.id, { price: 35n, stock: null, roleId: '123456789012345678', roleDurationSeconds: 5 }, actor);
      expect(edited).toMatchObject({ price: 35n, stock: null, roleDurationSeconds: 5 });
      expect((await findItem(prisma, guildId, `#${item.id}`)).id).toBe(item.id);
      expect((await findItem(prisma, guildId, 'LANTERN')).id).toBe(item.id);

      await removeItem(prisma, guildId, item.id, actor);
      await expect(findItem(prisma, guildId, 'Lantern')).rejects.toMatchObject({ status: 404 });
      await expect(removeItem(prisma, guildId, item.id, actor)).rejects.toMatchObject({ status: 404 });
      expect((await listItems(prisma, guildId)).items.map((i) => i.id)).not.toContain(item.id);
      // The name is free again; the removed row stays for its purchases.
      const again = await addItem(prisma, guildId, { name: 'Lantern', price: 1n }, actor);
      expect(again.id).not.toBe(item.id);
      const audit = await prisma.auditEvent.findMany({ where: { guildId, targetId: String(item.id) }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => [a.action, a.actorId])).toEqual([
        ['shop_item.created', 'discord:1'],
        ['shop_item.updated', 'discord:1'],
        ['shop_item.removed', 'discord:1'],
      ]);
      expect(audit[1]?.data).toEqual({ price: '35', stock: null, roleId: '123456789012345678', roleDurationSeconds: 5 });
    });
  });

  describe('inventory movements', () => {
    const move = (over: Partial<InventoryMovementInput>): InventoryMovementInput => ({
      guildId,
      ownerId: '400000000000000001',
      itemId: 0,
      delta: 1,
      key: `k:${snowflake()}`,
      type: 'test',
      actor: { type: 'system', id: 'test' },
      ...over,
    });

    it('applies a key once, even 10× concurrently', async () => {
      const item = await addItem(prisma, guildId, { name: name('Gem'), price: 1n }, actor);
      const m = move({ itemId: item.id, delta: 3 });
      const results = await Promise.all(Array.from({ length: 10 }, () => applyInventoryMovement(prisma, m)));
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      expect(await prisma.inventoryMovement.count({ where: { idempotencyKey: m.key } })).toBe(1);
      expect((await prisma.inventoryItem.findFirstOrThrow({ where: { itemId: item.id } })).quantity).toBe(3);
      await expect(applyInventoryMovement(prisma, { ...m, delta: 4 })).rejects.toMatchObject({ code: 'idempotency_conflict' });
    });

    it('never goes below zero: the refused movement leaves no trace', async () => {
      const item = await addItem(prisma, guildId, { name: name('Gem'), price: 1n }, actor);
      await applyInventoryMovement(prisma, move({ itemId: item.id, delta: 2 }));
      const tooMuch = move({ itemId: item.id, delta: -3 });
      await expect(applyInventoryMovement(prisma, tooMuch)).rejects.toMatchObject({ code: 'insufficient_items' });
      await expect(applyInventoryMovement(prisma, move({ itemId: item.id, ownerId: '400000000000000002', delta: -1 }))).rejects.toMatchObject({ code: 'insufficient_items' });
      expect(await prisma.inventoryMovement.count({ where: { idempotencyKey: tooMuch.key } })).toBe(0);
      // Concurrent removals of 1 from a quantity of 2: exactly two succeed.
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => applyInventoryMovement(prisma, move({ itemId: item.id, delta: -1 }))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      expect((await prisma.inventoryItem.findFirstOrThrow({ where: { itemId: item.id } })).quantity).toBe(0);
    });
  });

  describe('purchases', () => {
    const member = () => snowflake();
    const request = (itemId: number, userId: string, quantity = 1) => {
      const id = snowflake();
      return { purchaseId: id, requestKey: `req:${id}`, guildId, userId, itemId, quantity, memberRoleIds: [] as string[] };
    };

    it('creates one purchase per request key, even when the confirm arrives twice at once', async () => {
      const item = await addItem(prisma, guildId, { name: name('Hat'), price: 7n }, actor);
      const req = request(item.id, member(), 3);
      const [a, b] = await Promise.all([createPurchase(prisma, req), createPurchase(prisma, { ...req, purchaseId: snowflake() })]);
      expect(a.ok && b.ok).toBe(true);
      expect(a.ok && b.ok && a.purchase.id === b.purchase.id).toBe(true);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      const row = await prisma.purchase.findUniqueOrThrow({ where: { requestKey: req.requestKey } });
      expect(row).toMatchObject({ status: 'pending', quantity: 3, unitPrice: 7n, total: 21n, stockTaken: false });
    });

    it('the per-member limit counts owned and pending purchases, also under concurrent confirms', async () => {
      const item = await addItem(prisma, guildId, { name: name('Ring'), price: 1n, perUserLimit: 2 }, actor);
      const user = member();
      const results = await Promise.all(Array.from({ length: 5 }, () => createPurchase(prisma, request(item.id, user))));
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      const refused = results.find((r) => !r.ok);
      expect(refused && !refused.ok && refused.error.message).toMatch(/You can own at most 2 × Ring \d+; you have 0 and 2 more on the way\./);
      expect(await prisma.purchase.count({ where: { itemId: item.id, status: 'pending' } })).toBe(2);
      expect(await prisma.purchase.count({ where: { itemId: item.id, status: 'failed' } })).toBe(3);
    });

    it('refuses a changed price, an inactive item and a missing required role, recording why', async () => {
      const item = await addItem(prisma, guildId, { name: name('Cloak'), price: 10n, requiredRoleId: '500000000000000001' }, actor);
      const user = member();
      const wrongPrice = await createPurchase(prisma, { ...request(item.id, user), memberRoleIds: ['500000000000000001'], expectedUnitPrice: 9n });
      expect(!wrongPrice.ok && wrongPrice.error.failureType).toBe('PriceChanged');
      const noRole = await createPurchase(prisma, request(item.id, user));
      expect(!noRole.ok && noRole.error.failureType).toBe('RequiredRoleMissing');
      expect(!noRole.ok && noRole.purchase?.status).toBe('failed');
      await editItem(prisma, guildId, item.id, { active: false }, actor);
      const paused = await createPurchase(prisma, { ...request(item.id, user), memberRoleIds: ['500000000000000001'] });
      expect(!paused.ok && paused.error.message).toBe(`${item.name} is not on sale right now.`);
      const unknown = await createPurchase(prisma, request(999_999, user));
      expect(!unknown.ok && unknown.purchase).toBeNull();
    });

    it('takes stock once per purchase and restocks only what was taken', async () => {
      const item = await addItem(prisma, guildId, { name: name('Map'), price: 1n, stock: 5 }, actor);
      const created = await createPurchase(prisma, request(item.id, member(), 2));
      if (!created.ok) throw created.error;
      const id = created.purchase.id;
      expect(await restock(prisma, id)).toEqual({ restocked: false });
      expect(await takeStock(prisma, id)).toEqual({ taken: true, replayed: false, stockLeft: 3 });
      expect(await takeStock(prisma, id)).toEqual({ taken: true, replayed: true, stockLeft: 3 });
      expect(await stockOf(item.id)).toBe(3);
      expect(await Promise.all([restock(prisma, id), restock(prisma, id)])).toEqual(expect.arrayContaining([{ restocked: true }, { restocked: false }]));
      expect(await stockOf(item.id)).toBe(5);
      expect((await prisma.purchase.findUniqueOrThrow({ where: { id } })).stockTaken).toBe(false);
    });

    it('property: concurrent takes and restocks never oversell; stock + what is taken = the initial stock', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 6 }),
          fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 3 }), restockAfter: fc.boolean() }), { minLength: 1, maxLength: 8 }),
          async (initial, buys) => {
            const item = await addItem(prisma, guildId, { name: name('Prop'), price: 1n, stock: initial }, actor);
            // Purchases are created up front (the pre-check would refuse later ones); the take is what decides.
            await prisma.shopItem.update({ where: { id: item.id }, data: { stock: 1000 } });
            const ids: string[] = [];
            for (const b of buys) {
              const r = await createPurchase(prisma, request(item.id, member(), b.quantity));
              if (!r.ok) throw r.error;
              ids.push(r.purchase.id);
            }
            await prisma.shopItem.update({ where: { id: item.id }, data: { stock: initial } });
            await Promise.all(
              buys.map(async (b, i) => {
                const outcome = await takeStock(prisma, ids[i]!).catch((err: { failureType?: string }) => {
                  if (err.failureType !== 'OutOfStock') throw err;
                  return null;
                });
                if (outcome && b.restockAfter) await restock(prisma, ids[i]!);
              }),
            );
            const stock = (await stockOf(item.id))!;
            const taken = await prisma.purchase.aggregate({ where: { itemId: item.id, stockTaken: true }, _sum: { quantity: true } });
            expect(stock).toBeGreaterThanOrEqual(0);
            expect(stock + (taken._sum.quantity ?? 0)).toBe(initial);
          },
        ),
        { numRuns: 15 },
      );
    });
  });
});
