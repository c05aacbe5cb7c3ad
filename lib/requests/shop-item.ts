import { z } from 'zod';
import { snowflake } from '../discord/snowflake';

/** A shop item's editable fields, as the API, the bot and the dashboard's item form check them. */

const MAX_INT = 2_147_483_647;
const MAX_PRICE = 10n ** 15n;

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

export type ItemCombination = Pick<ItemFields, 'roleId' | 'roleDurationSeconds' | 'usable' | 'sellBackPercent'>;

/** What is wrong with an item's fields taken together (after a patch, the item's whole state), or null. */
export function itemCombinationProblem(fields: ItemCombination): string | null {
  if (fields.roleDurationSeconds !== null && fields.roleId === null) {
    return 'A role duration needs a role: set the role the item gives, or clear the duration.';
  }
  // Using or selling back a role item would also have to take the role away: not a single step.
  if (fields.roleId !== null && (fields.usable || fields.sellBackPercent !== null)) {
    return 'An item that gives a role cannot be usable or sold back: remove the role, or turn off usable and sell-back.';
  }
  return null;
}
