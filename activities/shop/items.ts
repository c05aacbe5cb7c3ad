import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import { DEFAULT_ASSETS } from '../ledger/assets';
import { itemNotFound, nameTaken } from './errors';
import { snowflake } from '../../lib/discord/snowflake';

/**
 * Shop items (admin add / edit / remove). Removing is a soft delete (deletedAt): purchases and
 * inventories keep pointing at the item, and its name can be reused. Every change is audited
 * (AuditEvent) in the same transaction.
 */

const MAX_INT = 2_147_483_647;
const MAX_PRICE = 10n ** 15n;

/** The editable fields of an item, parsed at every edge (bot, API). */
export const itemFieldsSchema = z
  .object({
    name: z.string().trim().min(1, 'A name is needed.').max(100, 'A name has at most 100 characters.'),
    description: z.string().trim().max(1000, 'A description has at most 1000 characters.'),
    emoji: z.string().trim().min(1).max(64).nullable(),
    /** Per unit, in the asset's minor units. */
    price: z.coerce
      .bigint({ error: 'The price must be a whole number.' })
      .refine((p) => p >= 0n && p <= MAX_PRICE, `The price must be between 0 and ${MAX_PRICE}.`),
    assetCode: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be an asset code such as currency or gems'),
    /** null = unlimited */
    stock: z.number().int().min(0, 'Stock cannot be negative.').max(MAX_INT).nullable(),
    perUserLimit: z.number().int().min(1, 'A per-member limit is at least 1.').max(MAX_INT).nullable(),
    roleId: snowflake.nullable(),
    roleDurationSeconds: z.number().int().min(1, 'A role duration is at least 1 second.').max(10 * 365 * 86_400).nullable(),
    requiredRoleId: snowflake.nullable(),
    active: z.boolean(),
    /** Stored in lower case so filters match however members type it. */
    category: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} _&-]{0,31}$/u, 'A category is 1–32 letters, digits, spaces, "-", "_" or "&".')
      .nullable(),
    /** Members may consume units with /use. */
    usable: z.boolean(),
    /** Share of the price paid back per unit by /sell; null = cannot be sold back. */
    sellBackPercent: z.number().int().min(0, 'A sell-back percentage is from 0 to 100.').max(100, 'A sell-back percentage is from 0 to 100.').nullable(),
  })
  .strict();

export type ItemFields = z.infer<typeof itemFieldsSchema>;
export const itemCreateSchema = itemFieldsSchema.partial().required({ name: true, price: true });
export const itemPatchSchema = itemFieldsSchema.partial();
export type ItemCreate = z.input<typeof itemCreateSchema>;
export type ItemPatch = z.input<typeof itemPatchSchema>;

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
      parsed.error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; '),
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

type Combination = Pick<ItemFields, 'roleId' | 'roleDurationSeconds' | 'usable' | 'sellBackPercent'>;

function checkCombination(fields: Combination): void {
  if (fields.roleDurationSeconds !== null && fields.roleId === null) {
    throw new ValidationError('A role duration needs a role: set the role the item gives, or clear the duration.');
  }
  // Using or selling back a role item would also have to take the role away: not a single step.
  if (fields.roleId !== null && (fields.usable || fields.sellBackPercent !== null)) {
    throw new ValidationError('An item that gives a role cannot be usable or sold back: remove the role, or turn off usable and sell-back.');
  }
}

/** The fields the combination rules read, after a patch: the patch's value where given, else the item's. */
function combined(current: ShopItem, patch: z.infer<typeof itemPatchSchema>): Combination {
  const pick = <K extends keyof Combination>(k: K): Combination[K] => (patch[k] !== undefined ? (patch[k] as Combination[K]) : current[k]);
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
