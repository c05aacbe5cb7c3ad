import { addItem, applyInventoryMovement, editItem, listCategories, listItems, sellItem, useItem } from '../../activities/shop';
import { createLedger, userAccount } from '../../activities/ledger';
import { ValidationError } from '../../lib/errors';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, snowflake } from '../helpers/ledger';

/** Categories, /use and /sell as services against PostgreSQL: validation, one transaction, one key. */
describe('shop extras services', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let guildId: string;
  const actor = { actorType: 'user', actorId: 'discord:1' } as const;
  let n = 0;
  const name = (prefix: string) => `${prefix} ${(n += 1)}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = db.prisma;
    guildId = await createGuild(prisma);
  });
  afterAll(() => db?.drop());

  /** A member owning `owned` units of the item (given by an admin movement). */
  async function owner(item: ShopItem, owned: number): Promise<string> {
    const userId = snowflake();
    await applyInventoryMovement(prisma, { guildId, ownerId: userId, itemId: item.id, delta: owned, key: `give:${userId}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' } });
    return userId;
  }
  const owned = async (userId: string, itemId: number) => (await prisma.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId: userId, itemId } } }))?.quantity ?? 0;
  const balanceOf = async (userId: string) => (await createLedger(prisma).balance(guildId, userAccount(userId), 'currency')).balance;
  const snapshot = async (userId: string, itemId: number) => ({
    owned: await owned(userId, itemId),
    balance: await balanceOf(userId),
    entries: await prisma.journalEntry.count({ where: { guildId } }),
    movements: await prisma.inventoryMovement.count({ where: { guildId } }),
    audits: await prisma.auditEvent.count({ where: { guildId } }),
    stock: (await prisma.shopItem.findUniqueOrThrow({ where: { id: itemId } })).stock,
  });

  it('categories: stored in lower case, filtered by listItems, listed once each; bad ones refused', async () => {
    const tea = await addItem(prisma, guildId, { name: name('Tea'), price: 5n, category: '  Drinks ' }, actor);
    expect(tea.category).toBe('drinks');
    await addItem(prisma, guildId, { name: name('Coffee'), price: 6n, category: 'drinks' }, actor);
    const bread = await addItem(prisma, guildId, { name: name('Bread'), price: 3n, category: 'food' }, actor);
    await addItem(prisma, guildId, { name: name('Rock'), price: 1n }, actor);
    const drinks = await listItems(prisma, guildId, { category: 'drinks' });
    expect(drinks.total).toBe(2);
    expect(drinks.items.every((i) => i.category === 'drinks')).toBe(true);
    expect(await listCategories(prisma, guildId)).toEqual(['drinks', 'food']);
    // A category emptied by an edit leaves the list.
    await editItem(prisma, guildId, bread.id, { category: null }, actor);
    expect(await listCategories(prisma, guildId)).toEqual(['drinks']);
    await expect(addItem(prisma, guildId, { name: name('Bad'), price: 1n, category: '<script>' }, actor)).rejects.toThrow(/A category is 1–32 letters/);
  });

  it('an item that gives a role cannot be usable or sold back, at create and at update', async () => {
    const role = snowflake();
    await expect(addItem(prisma, guildId, { name: name('VIP'), price: 10n, roleId: role, usable: true }, actor)).rejects.toThrow(ValidationError);
    await expect(addItem(prisma, guildId, { name: name('VIP'), price: 10n, roleId: role, sellBackPercent: 50 }, actor)).rejects.toThrow(/cannot be usable or sold back/);
    const vip = await addItem(prisma, guildId, { name: name('VIP'), price: 10n, roleId: role }, actor);
    await expect(editItem(prisma, guildId, vip.id, { sellBackPercent: 0 }, actor)).rejects.toThrow(/cannot be usable or sold back/);
    const potion = await addItem(prisma, guildId, { name: name('Potion'), price: 10n, usable: true }, actor);
    await expect(editItem(prisma, guildId, potion.id, { roleId: role }, actor)).rejects.toThrow(/cannot be usable or sold back/);
    // Dropping the role and turning on sell-back in one edit is fine.
    expect(await editItem(prisma, guildId, vip.id, { roleId: null, sellBackPercent: 40 }, actor)).toMatchObject({ roleId: null, sellBackPercent: 40 });
    await expect(addItem(prisma, guildId, { name: name('Odd'), price: 10n, sellBackPercent: 101 }, actor)).rejects.toThrow(/from 0 to 100/);
  });

  it('sell back: the same key twice credits once and takes the units once; balance == floor(price × pct / 100) × qty', async () => {
    const sword = await addItem(prisma, guildId, { name: name('Sword'), price: 99n, stock: 10, sellBackPercent: 35 }, actor);
    const userId = await owner(sword, 5);
    const key = `sell:${snowflake()}`;
    const first = await sellItem(prisma, { guildId, userId, item: sword, quantity: 3, key });
    expect(first).toMatchObject({ replayed: false, unitPrice: 34n, total: 102n, left: 2 });
    const again = await sellItem(prisma, { guildId, userId, item: sword, quantity: 3, key });
    expect(again).toMatchObject({ replayed: true, unitPrice: 34n, total: 102n, left: 2 });
    expect(again.entry?.id).toBe(first.entry?.id);
    expect(await balanceOf(userId)).toBe((99n * 35n) / 100n * 3n);
    expect(await prisma.journalEntry.findMany({ where: { idempotencyKey: key }, select: { type: true } })).toEqual([{ type: 'sell_back' }]);
    expect(await prisma.inventoryMovement.count({ where: { idempotencyKey: key } })).toBe(1);
    expect(await owned(userId, sword.id)).toBe(2);
    // Stock is not returned by a sale.
    expect((await prisma.shopItem.findUniqueOrThrow({ where: { id: sword.id } })).stock).toBe(10);
    expect(await prisma.auditEvent.count({ where: { guildId, action: 'shop_item.sold_back', targetId: String(sword.id) } })).toBe(1);
    // Concurrent retries of one key: still one sale.
    const key2 = `sell:${snowflake()}`;
    const both = await Promise.all([sellItem(prisma, { guildId, userId, item: sword, quantity: 1, key: key2 }), sellItem(prisma, { guildId, userId, item: sword, quantity: 1, key: key2 })]);
    expect(both.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await owned(userId, sword.id)).toBe(1);
    expect(await balanceOf(userId)).toBe(34n * 4n);
    // Sell-back turned off: a retry of a made sale still returns it; a new sale is refused.
    await editItem(prisma, guildId, sword.id, { sellBackPercent: null }, actor);
    expect(await sellItem(prisma, { guildId, userId, item: sword, quantity: 3, key })).toMatchObject({ replayed: true, total: 102n });
    await expect(sellItem(prisma, { guildId, userId, item: sword, quantity: 1, key: `sell:${snowflake()}` })).rejects.toThrow(`${sword.name} cannot be sold back to the shop.`);
    expect(await owned(userId, sword.id)).toBe(1);
  });

  it('sell back refusals change nothing: more than owned, not owned, not sellable', async () => {
    const shield = await addItem(prisma, guildId, { name: name('Shield'), price: 50n, sellBackPercent: 50 }, actor);
    const plain = await addItem(prisma, guildId, { name: name('Plain'), price: 50n }, actor);
    const userId = await owner(shield, 2);
    const before = await snapshot(userId, shield.id);
    await expect(sellItem(prisma, { guildId, userId, item: shield, quantity: 3, key: `sell:${snowflake()}` })).rejects.toThrow(`You own 2 × ${shield.name}; you cannot give up 3.`);
    await expect(sellItem(prisma, { guildId, userId: snowflake(), item: shield, quantity: 1, key: `sell:${snowflake()}` })).rejects.toThrow(`You do not own any ${shield.name}.`);
    await expect(sellItem(prisma, { guildId, userId, item: plain, quantity: 1, key: `sell:${snowflake()}` })).rejects.toThrow(`${plain.name} cannot be sold back to the shop.`);
    expect(await snapshot(userId, shield.id)).toEqual(before);
  });

  it('use: consumes once per key (audited once); not usable or not owned refused, changing nothing', async () => {
    const potion = await addItem(prisma, guildId, { name: name('Potion'), price: 20n, usable: true }, actor);
    const userId = await owner(potion, 3);
    const key = `use:${snowflake()}`;
    expect(await useItem(prisma, { guildId, userId, item: potion, quantity: 2, key })).toEqual({ left: 1, replayed: false });
    expect(await useItem(prisma, { guildId, userId, item: potion, quantity: 2, key })).toEqual({ left: 1, replayed: true });
    expect(await prisma.auditEvent.count({ where: { guildId, action: 'shop_item.used', targetId: String(potion.id) } })).toBe(1);
    expect(await prisma.inventoryMovement.findUniqueOrThrow({ where: { idempotencyKey: key } })).toMatchObject({ delta: -2, type: 'use', ownerId: userId });

    const rock = await addItem(prisma, guildId, { name: name('Rock'), price: 1n }, actor);
    const before = await snapshot(userId, potion.id);
    await expect(useItem(prisma, { guildId, userId, item: potion, quantity: 2, key: `use:${snowflake()}` })).rejects.toThrow(`You own 1 × ${potion.name}; you cannot give up 2.`);
    await expect(useItem(prisma, { guildId, userId, item: rock, quantity: 1, key: `use:${snowflake()}` })).rejects.toThrow(`${rock.name} cannot be used`);
    expect(await snapshot(userId, potion.id)).toEqual(before);
  });
});
