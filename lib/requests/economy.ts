import { z } from 'zod';
import { snowflake } from '../discord/snowflake';

/** The economy's admin requests (settings, balance adjustments), as the API, the bot and the dashboard check them. */

export const MAX_REASON_LENGTH = 500;

/** Amounts travel as decimal strings (bigint does not survive JSON); small ones may come as numbers. */
const amountValue = z
  .union([z.string().regex(/^-?\d{1,19}$/, 'must be an integer, as a string'), z.number().int('must be an integer').refine(Number.isSafeInteger, 'is too large for a number: send it as a string')])
  .transform((v) => BigInt(v));

/** The API's body: types only; the ranges are economySettingsChange's, which the bot shares. */
export const economySettingsPatch = z
  .object({
    dailyAmount: amountValue,
    dailyCooldownSeconds: z.number(),
    dailyStreakBonus: amountValue,
    dailyStreakMax: z.number(),
    dailyStreakGraceSeconds: z.number(),
    adminAdjustLimitPerMinute: z.number(),
    currencyName: z.string(),
    currencyEmoji: z.string(),
  })
  .partial()
  .strict();

export const balanceAdjustment = z
  .object({
    userId: snowflake,
    amount: amountValue.refine((v) => v !== 0n, 'must not be 0 (positive adds, negative removes)'),
    reason: z.string().trim().min(1, 'is required: it is recorded with the change').max(MAX_REASON_LENGTH),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1–100 characters: letters, digits, . _ : -')
      .optional(),
  })
  .strict();

/**
 * The most a guild may set adminAdjustLimitPerMinute to: one change a second. The limit is what stands
 * between a leaked admin token and unbounded minting, so an admin (or their token) cannot lift it away.
 */
export const MAX_ADMIN_ADJUST_LIMIT_PER_MINUTE = 60;

const YEAR_SECONDS = 365 * 86_400;
const MAX_AMOUNT = 1_000_000_000_000_000n;
const amount = (what: string) =>
  z
    .bigint({ error: `${what} must be a whole number.` })
    .min(0n, `${what} cannot be negative.`)
    .max(MAX_AMOUNT, `${what} can be at most ${MAX_AMOUNT.toLocaleString('en-US')}.`);
const int = (what: string, min: number, max: number, unit: string) => {
  const range = `${what} must be a whole number from ${min} to ${max.toLocaleString('en-US')} ${unit}.`;
  return z.number({ error: range }).int(range).min(min, range).max(max, range);
};

/** Every change /economy settings and the API can make; each field optional, at least one given. */
export const economySettingsChange = z
  .object({
    dailyAmount: amount('The daily amount'),
    dailyCooldownSeconds: int('The daily cooldown', 1, YEAR_SECONDS, 'seconds'),
    dailyStreakBonus: amount('The streak bonus'),
    dailyStreakMax: int('The streak maximum', 0, 1000, 'days'),
    dailyStreakGraceSeconds: int('The streak grace', 0, YEAR_SECONDS, 'seconds'),
    adminAdjustLimitPerMinute: int('The admin adjust limit', 1, MAX_ADMIN_ADJUST_LIMIT_PER_MINUTE, 'changes per minute'),
    currencyName: z.string().trim().min(1, 'The currency name cannot be empty.').max(64, 'The currency name can be at most 64 characters.'),
    currencyEmoji: z.string().trim().min(1, 'The currency emoji cannot be empty.').max(100, 'The currency emoji can be at most 100 characters.'),
  })
  .partial()
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'Give at least one setting to change.');

export type EconomySettingsChange = z.infer<typeof economySettingsChange>;

/** A refused settings change's issues in words a server admin reads. */
export function economySettingsWording(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => (i.code === 'unrecognized_keys' ? `Unknown setting: ${i.keys.join(', ')}.` : i.message)).join(' ');
}

/** What is wrong with a settings change, or null. */
export function economySettingsProblem(change: unknown): string | null {
  const parsed = economySettingsChange.safeParse(change);
  return parsed.success ? null : economySettingsWording(parsed.error.issues);
}
