import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import { DEFAULT_ASSETS } from '../ledger/assets';
import { itemNotFound, nameTaken } from './errors';
import {
  itemCombinationProblem,
  itemCreateSchema,
  itemFieldsSchema,
  itemPatchSchema,
  type ItemCombination,
  type ItemCreate,
  type ItemFields,
  type ItemPatch,
} from '../../lib/requests/shop-item';
import { describeIssues } from '../../lib/requests/issues';

/**
 * Shop items (admin add / edit / remove). Removing is a soft delete (deletedAt): purchases and
 * inventories keep pointing at the item, and its name can be reused. Every change is audited
 * (AuditEvent) in the same transaction.
 */

export interface AuditActor {
  /** 'user' (a Discord member: id `discord:{userId}`), 'api_token' (`token:{id}`), 'system'. */
  actorType: 'user' | 'api_token' | 'system';
  actorId: string;
}

/** An item as JSON (price as a decimal string). */
export function itemToJson(item: ShopItem) {
  return { ...item, price: item.price.toString() };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      describeIssues(parsed.error.issues, 'item'),
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** The fields the combination rules read, after a patch: the patch's value where given, else the item's. */
function checkCombination(fields: ItemCombination): void {
  const problem = itemCombinationProblem(fields);
  if (problem) throw new ValidationError(problem);
}

function combined(current: ShopItem, patch: z.infer<typeof itemPatchSchema>): ItemCombination {
  const pick = <K extends keyof ItemCombination>(k: K): ItemCombination[K] => (patch[k] !== undefined ? (patch[k] as ItemCombination[K]) : current[k]);
  return { roleId: pick('roleId'), roleDurationSeconds: pick('roleDurationSeconds'), usable: pick('usable'), sellBackPercent: pick('sellBackPercent') };
}

async function checkAsset(prisma: PrismaClient, guildId: string, code: string): Promise<void> {
  if (DEFAULT_ASSETS.some((a) => a.code === code)) return;
  const asset = await prisma.asset.findUnique({ where: { guildId_code: { guildId, code } }, select: { id: true } });
  if (!asset) throw new ValidationError(`This server has no asset ${JSON.stringify(code)}.`);
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: unknown };
  return e.code === 'P2002' || /shop_items_guild_id_live_name_key/.test(`${e.message ?? ''} ${JSON.stringify(e.meta ?? {})}`);
}

export async function addItem(prisma: PrismaClient, guildId: string, input: ItemCreate, actor: AuditActor): Promise<ShopItem> {
  const parsed = parse(itemCreateSchema, input);
  const fields = {
    description: '',
    emoji: null,
    assetCode: 'currency',
    stock: null,
    perUserLimit: null,
    roleId: null,
    roleDurationSeconds: null,
    requiredRoleId: null,
    active: true,
    category: null,
    usable: false,
    sellBackPercent: null,
    ...parsed,
  } satisfies ItemFields;
  checkCombination(fields);
  await checkAsset(prisma, guildId, fields.assetCode);
  try {
    return await prisma.$transaction(async (tx) => {
      const item = await tx.shopItem.create({ data: { guildId, ...fields } });
      await tx.auditEvent.create({
        data: { guildId, ...actor, action: 'shop_item.created', targetType: 'shop_item', targetId: String(item.id), data: itemToJson(item) as object },
      });
      return item;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(fields.name);
    throw err;
  }
}

export async function editItem(prisma: PrismaClient, guildId: string, itemId: number, patch: ItemPatch, actor: AuditActor): Promise<ShopItem> {
  const parsed = parse(itemPatchSchema, patch);
  if (Object.keys(parsed).length === 0) throw new ValidationError('Nothing to change: give at least one field.');
  const current = await liveItem(prisma, guildId, itemId);
  checkCombination(combined(current, parsed));
  if (parsed.assetCode) await checkAsset(prisma, guildId, parsed.assetCode);
  try {
    return await prisma.$transaction(async (tx) => {
      const item = await tx.shopItem.update({ where: { id: current.id }, data: parsed });
      const changed = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'shop_item.updated', targetType: 'shop_item', targetId: String(item.id), data: changed } });
      return item;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(parsed.name ?? current.name);
    throw err;
  }
}

/** Soft delete: the item leaves the shop (and /buy), purchases and inventories keep it. */
export async function removeItem(prisma: PrismaClient, guildId: string, itemId: number, actor: AuditActor): Promise<ShopItem> {
  const current = await liveItem(prisma, guildId, itemId);
  return prisma.$transaction(async (tx) => {
    const item = await tx.shopItem.update({ where: { id: current.id }, data: { deletedAt: new Date(), active: false } });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'shop_item.removed', targetType: 'shop_item', targetId: String(item.id), data: { name: item.name } } });
    return item;
  });
}

/** A live (not removed) item of the guild, or NotFoundError. */
export async function liveItem(prisma: PrismaClient, guildId: string, itemId: number): Promise<ShopItem> {
  const item = Number.isSafeInteger(itemId) ? await prisma.shopItem.findFirst({ where: { id: itemId, guildId, deletedAt: null } }) : null;
  if (!item) throw new NotFoundError(itemNotFound(itemId).message);
  return item;
}

/** Finds a live item by id (`12` or `#12`) or by name (case-insensitive). */
export async function findItem(prisma: PrismaClient, guildId: string, ref: string): Promise<ShopItem> {
  const trimmed = ref.trim();
  const id = /^#?(\d{1,9})$/.exec(trimmed)?.[1];
  const item =
    (id ? await prisma.shopItem.findFirst({ where: { id: Number(id), guildId, deletedAt: null } }) : null) ??
    (await prisma.shopItem.findFirst({ where: { guildId, deletedAt: null, name: { equals: trimmed, mode: 'insensitive' } } }));
  if (!item) throw new NotFoundError(itemNotFound(trimmed).message);
  return item;
}

/** A category as items store it (lower case), or a clear error. */
export function parseCategory(text: string): string {
  return parse(z.object({ category: itemFieldsSchema.shape.category.unwrap() }), { category: text }).category;
}

/** Live items, by id; members see only active ones; `category` (as parseCategory returns it) narrows them. */
export async function listItems(
  prisma: PrismaClient,
  guildId: string,
  opts: { includeInactive?: boolean; offset?: number; limit?: number; category?: string | null } = {},
): Promise<{ items: ShopItem[]; total: number }> {
  const where = { guildId, deletedAt: null, ...(opts.includeInactive ? {} : { active: true }), ...(opts.category ? { category: opts.category } : {}) };
  const [items, total] = await prisma.$transaction([
    prisma.shopItem.findMany({ where, orderBy: { id: 'asc' }, skip: opts.offset ?? 0, take: opts.limit ?? 25 }),
    prisma.shopItem.count({ where }),
  ]);
  return { items, total };
}

/** The categories of the guild's items on sale, alphabetically. */
export async function listCategories(prisma: PrismaClient, guildId: string): Promise<string[]> {
  const rows = await prisma.shopItem.findMany({ where: { guildId, deletedAt: null, active: true, category: { not: null } }, distinct: ['category'], select: { category: true }, orderBy: { category: 'asc' } });
  return rows.map((r) => r.category!);
}
