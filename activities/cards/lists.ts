import type { Finish } from '../../lib/scryfall/cards';
import type { CardPrinting, Prisma, PrismaClient } from '../../prisma/client';
import { collectionInUse, invalidList, notOwned } from './errors';

/**
 * A member's card lists: the collection (cards owned), haves (collection items offered for trade, never
 * more copies than the item holds) and wants (a printing, or any printing of the card). Lists belong to
 * the Discord user, not to a guild. Every change is one transaction; bad input changes nothing.
 */

export const CONDITIONS = ['NM', 'LP', 'MP', 'HP', 'DMG'] as const;
export type Condition = (typeof CONDITIONS)[number];
export const MAX_COPIES = 9_999;

type Db = PrismaClient | Prisma.TransactionClient;

export interface HaveInput {
  printing: Pick<CardPrinting, 'id' | 'name' | 'finishes'>;
  quantity: number;
  condition?: string;
  finish?: string;
  language?: string;
  minValueCents?: number | null;
  notes?: string | null;
}

export interface WantInput {
  printing: Pick<CardPrinting, 'id' | 'name' | 'oracleId'>;
  quantity: number;
  anyPrinting?: boolean;
  minCondition?: string;
  foilRequired?: boolean;
  maxPriceCents?: number | null;
  priority?: number;
  alert?: boolean;
}

const checkQuantity = (quantity: number, what = 'quantity') => {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_COPIES) throw invalidList(`The ${what} must be a whole number from 1 to ${MAX_COPIES}, not ${quantity}.`);
};
const checkCondition = (condition: string, what = 'condition'): Condition => {
  const c = condition.toUpperCase();
  if (!(CONDITIONS as readonly string[]).includes(c)) throw invalidList(`The ${what} must be one of ${CONDITIONS.join(', ')}, not ${JSON.stringify(condition)}.`);
  return c as Condition;
};
const checkCents = (cents: number | null | undefined, what: string) => {
  if (cents === null || cents === undefined) return null;
  if (!Number.isInteger(cents) || cents < 0 || cents > 100_000_000) throw invalidList(`The ${what} must be a whole number of cents from 0 to 100000000.`);
  return cents;
};

/** The finish a have is in: the one asked for, which the printing must exist in; default its first. */
function finishOf(printing: HaveInput['printing'], finish: string | undefined): Finish {
  const finishes = printing.finishes as Finish[];
  if (finish === undefined) return finishes.includes('nonfoil') ? 'nonfoil' : (finishes[0] ?? 'nonfoil');
  if (!finishes.includes(finish as Finish)) throw invalidList(`${printing.name} is not printed in ${finish} (only ${finishes.join(', ') || 'no finish'}).`);
  return finish as Finish;
}

export interface CollectionInput {
  printing: Pick<CardPrinting, 'id' | 'name' | 'finishes'>;
  quantity: number;
  condition?: string;
  finish?: string;
  language?: string;
}

/** Adds copies to the collection item (card, condition, finish, language), creating it; one statement, so concurrent adds add up. */
async function upsertItem(db: Db, userId: string, input: CollectionInput): Promise<bigint> {
  checkQuantity(input.quantity);
  const condition = checkCondition(input.condition ?? 'NM');
  const finish = finishOf(input.printing, input.finish);
  const language = (input.language ?? 'en').toLowerCase();
  if (!/^[a-z]{2,3}$/.test(language)) throw invalidList(`The language must be a code such as en, de or ja, not ${JSON.stringify(input.language)}.`);
  const [item] = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO card_collection_items (user_id, printing_id, quantity, condition, finish, language, updated_at)
    VALUES (${userId}, ${input.printing.id}, ${input.quantity}, ${condition}, ${finish}, ${language}, now())
    ON CONFLICT (user_id, printing_id, condition, finish, language)
    DO UPDATE SET quantity = card_collection_items.quantity + EXCLUDED.quantity, updated_at = now()
    RETURNING id`;
  return item!.id;
}

/**
 * Offers `quantity` more copies: they are added to the collection item (card, condition, finish,
 * language) and to its have. Returns the have's id. Concurrent adds add up (one statement each).
 */
export async function addHave(db: Db, userId: string, input: HaveInput): Promise<{ haveId: bigint; itemId: bigint }> {
  const minValue = checkCents(input.minValueCents, 'minimum value');
  const notes = input.notes?.trim() || null;
  if (notes && notes.length > 200) throw invalidList('Notes are at most 200 characters.');
  const itemId = await upsertItem(db, userId, input);
  const [have] = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO card_haves (user_id, collection_item_id, quantity, min_value_cents, notes, updated_at)
    VALUES (${userId}, ${itemId}, ${input.quantity}, ${minValue}, ${notes}, now())
    ON CONFLICT (collection_item_id)
    DO UPDATE SET quantity = card_haves.quantity + EXCLUDED.quantity,
                  min_value_cents = COALESCE(EXCLUDED.min_value_cents, card_haves.min_value_cents),
                  notes = COALESCE(EXCLUDED.notes, card_haves.notes), updated_at = now()
    RETURNING id`;
  return { haveId: have!.id, itemId };
}

/** Takes copies off the have (all of them without `quantity`); the collection keeps them. */
export async function removeHave(prisma: PrismaClient, userId: string, haveId: bigint, quantity?: number): Promise<{ left: number }> {
  if (quantity !== undefined) checkQuantity(quantity);
  return prisma.$transaction(async (tx) => {
    const [have] = await tx.$queryRaw<{ quantity: number }[]>`SELECT quantity FROM card_haves WHERE id = ${haveId} AND user_id = ${userId} FOR UPDATE`;
    if (!have) throw notOwned('have');
    const left = quantity === undefined ? 0 : Math.max(0, have.quantity - quantity);
    if (left === 0) await tx.cardHave.delete({ where: { id: haveId } });
    else await tx.cardHave.update({ where: { id: haveId }, data: { quantity: left } });
    return { left };
  });
}

/** Adds copies to the collection only (not offered for trade). Returns the item's id. */
export async function addToCollection(prisma: PrismaClient, userId: string, input: CollectionInput): Promise<{ itemId: bigint }> {
  return prisma.$transaction(async (tx) => ({ itemId: await upsertItem(tx, userId, input) }));
}

/** The item locked for a change, with what trades hold of it: reserved in live proposals, offered as a have. */
async function lockItem(tx: Prisma.TransactionClient, userId: string, itemId: bigint) {
  const [item] = await tx.$queryRaw<{ reserved: number; offered: number | null; printing_id: string; condition: string; finish: string; language: string }[]>`
    SELECT i.reserved, h.quantity AS offered, i.printing_id, i.condition, i.finish, i.language
    FROM card_collection_items i LEFT JOIN card_haves h ON h.collection_item_id = i.id
    WHERE i.id = ${itemId} AND i.user_id = ${userId} FOR UPDATE OF i`;
  if (!item) throw notOwned('collection item');
  return item;
}

/**
 * Changes how many copies a collection item holds and/or their condition: never below what is reserved
 * in live proposals or offered as haves, and a condition change only for copies nothing holds (they were
 * promised as they were graded) and that no other item of the same card already has (change that one).
 */
export async function updateCollectionItem(prisma: PrismaClient, userId: string, itemId: bigint, change: { quantity?: number; condition?: string }): Promise<void> {
  const { quantity } = change;
  if (quantity !== undefined && (!Number.isInteger(quantity) || quantity < 0 || quantity > MAX_COPIES)) {
    throw invalidList(`The quantity must be a whole number from 0 to ${MAX_COPIES}.`);
  }
  const condition = change.condition === undefined ? undefined : checkCondition(change.condition);
  await prisma.$transaction(async (tx) => {
    const item = await lockItem(tx, userId, itemId);
    if (quantity !== undefined) {
      if (quantity < item.reserved) throw collectionInUse(`${item.reserved} of these are promised in live trade proposals: keep at least that many.`);
      if (item.offered !== null && quantity < item.offered) throw collectionInUse(`You offer ${item.offered} of these for trade: remove them from your haves first.`);
    }
    if (condition !== undefined && condition !== item.condition) {
      if (item.reserved > 0) throw collectionInUse(`${item.reserved} of these are promised in live trade proposals as ${item.condition}: their condition cannot change now.`);
      if (item.offered !== null) throw collectionInUse(`You offer these for trade as ${item.condition}: remove them from your haves first.`);
      const twin = await tx.cardCollectionItem.findFirst({ where: { userId, printingId: item.printing_id, condition, finish: item.finish, language: item.language }, select: { id: true } });
      if (twin) throw collectionInUse(`You already have ${condition} copies of this card (item ${twin.id}): change that item's quantity instead.`);
    }
    await tx.cardCollectionItem.update({ where: { id: itemId }, data: { ...(quantity !== undefined ? { quantity } : {}), ...(condition !== undefined ? { condition } : {}) } });
  });
}

/** Sets how many copies a collection item holds; never below what is offered or reserved for trades. */
export async function setCollectionQuantity(prisma: PrismaClient, userId: string, itemId: bigint, quantity: number): Promise<void> {
  await updateCollectionItem(prisma, userId, itemId, { quantity });
}

/** Removes a collection item: refused while any copy is reserved in a live proposal or offered as a have. */
export async function removeCollectionItem(prisma: PrismaClient, userId: string, itemId: bigint): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const item = await lockItem(tx, userId, itemId);
    if (item.reserved > 0) throw collectionInUse(`${item.reserved} of these are promised in live trade proposals: they cannot be removed now.`);
    if (item.offered !== null) throw collectionInUse(`You offer ${item.offered} of these for trade: remove them from your haves first.`);
    await tx.cardCollectionItem.delete({ where: { id: itemId } });
  });
}

/** Adds a want, or replaces the one for the same card, printing rule and foil requirement. */
export async function addWant(db: Db, userId: string, input: WantInput): Promise<{ wantId: bigint }> {
  checkQuantity(input.quantity);
  const minCondition = checkCondition(input.minCondition ?? 'LP', 'worst condition');
  const priority = input.priority ?? 3;
  if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw invalidList('The priority must be from 1 (low) to 5 (high).');
  const maxPrice = checkCents(input.maxPriceCents, 'maximum price');
  const anyPrinting = input.anyPrinting ?? false;
  if (anyPrinting && !input.printing.oracleId) throw invalidList(`${input.printing.name} has no oracle id: want this printing only.`);
  const [want] = await db.$queryRaw<{ id: bigint }[]>`
    INSERT INTO card_wants (user_id, printing_id, oracle_id, any_printing, quantity, min_condition, foil_required, max_price_cents, priority, alert, updated_at)
    VALUES (${userId}, ${input.printing.id}, ${input.printing.oracleId}, ${anyPrinting}, ${input.quantity}, ${minCondition}, ${input.foilRequired ?? false},
            ${maxPrice}, ${priority}, ${input.alert ?? false}, now())
    ON CONFLICT (user_id, printing_id, any_printing, foil_required)
    DO UPDATE SET quantity = EXCLUDED.quantity, min_condition = EXCLUDED.min_condition, max_price_cents = EXCLUDED.max_price_cents,
                  priority = EXCLUDED.priority, alert = EXCLUDED.alert, updated_at = now()
    RETURNING id`;
  return { wantId: want!.id };
}

export async function removeWant(prisma: PrismaClient, userId: string, wantId: bigint): Promise<void> {
  const { count } = await prisma.cardWant.deleteMany({ where: { id: wantId, userId } });
  if (!count) throw notOwned('want');
}

export async function listHaves(prisma: PrismaClient, userId: string, { cursor, limit = 25 }: { cursor?: bigint; limit?: number } = {}) {
  return prisma.cardHave.findMany({
    where: { userId, ...(cursor ? { id: { gt: cursor } } : {}) },
    include: { item: { include: { printing: true } } },
    orderBy: { id: 'asc' },
    take: limit,
  });
}

export async function listCollection(prisma: PrismaClient, userId: string, { cursor, limit = 25 }: { cursor?: bigint; limit?: number } = {}) {
  return prisma.cardCollectionItem.findMany({
    where: { userId, ...(cursor ? { id: { gt: cursor } } : {}) },
    include: { printing: true, have: { select: { quantity: true } } },
    orderBy: { id: 'asc' },
    take: limit,
  });
}

export async function listWants(prisma: PrismaClient, userId: string, { cursor, limit = 25 }: { cursor?: bigint; limit?: number } = {}) {
  return prisma.cardWant.findMany({ where: { userId, ...(cursor ? { id: { gt: cursor } } : {}) }, include: { printing: true }, orderBy: { id: 'asc' }, take: limit });
}

/** Whether others see the member's lists beyond the server they are looking in (matching's rule). */
export async function setListsPublic(prisma: PrismaClient, userId: string, listsPublic: boolean): Promise<void> {
  await prisma.cardTrader.upsert({ where: { userId }, create: { userId, listsPublic }, update: { listsPublic } });
}
