import { z } from 'zod';

/** The code shop's admin requests (import, package prices, per-member limits), as the API and the dashboard check them. */

export const codeImport = z.object({ codes: z.string().min(1).max(2_000_000) }).strict();

const MAX_IMPORT_LINES = 10_000;

/** What is wrong with pasted codes as a whole (each line is judged on import), or null. */
export function codeImportProblem(text: string): string | null {
  return text.split(/\r?\n/).length > MAX_IMPORT_LINES ? `At most ${MAX_IMPORT_LINES.toLocaleString('en-US')} lines per import.` : null;
}

/** 0 or null for the hourly limits: unlimited. */
export const codeShopLimits = z
  .object({
    ordersPerMemberPerHour: z.number().int().min(0).max(1000).nullable().optional(),
    topupsPerMemberPerHour: z.number().int().min(0).max(1000).nullable().optional(),
    redeliveriesPerDay: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export const packageParams = z.object({ quantity: z.coerce.number().int().min(1).max(1000) });
export const packagePrice = z.object({ price: z.union([z.string().regex(/^\d{1,16}$/), z.number().int().min(0)]), active: z.boolean().optional() }).strict();

const MAX_PACKAGE_PRICE = 10n ** 15n;

/** What is wrong with a package's size and price (beyond their types), or null. */
export function packageProblem(input: { quantity: number; price: bigint }): string | null {
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1000) return 'A package has 1 to 1000 codes.';
  if (input.price < 0n || input.price > MAX_PACKAGE_PRICE) return 'The price must be from 0 to 1,000,000,000,000,000.';
  return null;
}
