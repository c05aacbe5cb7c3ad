import { ValidationError } from '../../lib/errors';
import type { PrismaClient } from '../../prisma/client';
import type { Actor, Asset } from '../ledger';
import { transactionLedger } from '../ledger/ledger';
import { currencyOf } from './currency';
import { inTransaction } from '../../prisma/transactions';
import {
  economySettingsChange,
  economySettingsWording,
  MAX_ADMIN_ADJUST_LIMIT_PER_MINUTE,
  type EconomySettingsChange,
} from '../../lib/requests/economy';

/** A guild's economy knobs (table economy_settings). */
export interface EconomySettings {
  dailyAmount: bigint;
  dailyCooldownSeconds: number;
  /** Added per consecutive claim after the first: claim n of a streak pays amount + min(n-1, max) * bonus. */
  dailyStreakBonus: bigint;
  dailyStreakMax: number;
  /** A streak continues when the next claim comes within cooldown + grace of the last one. */
  dailyStreakGraceSeconds: number;
  /** Balance changes (/economy add|remove, API adjustments) one person may make per minute. */
  adminAdjustLimitPerMinute: number;
}

/** What a guild without a row has: the column defaults of economy_settings (a test keeps them equal). */
export const DEFAULT_ECONOMY_SETTINGS: Readonly<EconomySettings> = {
  dailyAmount: 100n,
  dailyCooldownSeconds: 86_400,
  dailyStreakBonus: 10n,
  dailyStreakMax: 7,
  dailyStreakGraceSeconds: 86_400,
  adminAdjustLimitPerMinute: 5,
};

export async function getEconomySettings(prisma: PrismaClient, guildId: string): Promise<EconomySettings> {
  const row = await prisma.economySettings.findUnique({ where: { guildId } });
  if (!row) return { ...DEFAULT_ECONOMY_SETTINGS };
  return {
    dailyAmount: row.dailyAmount,
    dailyCooldownSeconds: row.dailyCooldownSeconds,
    dailyStreakBonus: row.dailyStreakBonus,
    dailyStreakMax: row.dailyStreakMax,
    dailyStreakGraceSeconds: row.dailyStreakGraceSeconds,
    // A row written before the ceiling existed may hold more; the ceiling still applies.
    adminAdjustLimitPerMinute: Math.min(row.adminAdjustLimitPerMinute, MAX_ADMIN_ADJUST_LIMIT_PER_MINUTE),
  };
}

/** Checks a change, throwing a ValidationError that says what is wrong in words a server admin reads. */
function parseSettingsChange(input: unknown): EconomySettingsChange {
  const parsed = economySettingsChange.safeParse(input);
  if (!parsed.success) throw new ValidationError(economySettingsWording(parsed.error.issues));
  return parsed.data;
}

const COLUMNS: Record<keyof EconomySettings, string> = {
  dailyAmount: 'daily_amount',
  dailyCooldownSeconds: 'daily_cooldown_seconds',
  dailyStreakBonus: 'daily_streak_bonus',
  dailyStreakMax: 'daily_streak_max',
  dailyStreakGraceSeconds: 'daily_streak_grace_seconds',
  adminAdjustLimitPerMinute: 'admin_adjust_limit_per_minute',
};

/** For audit events and API bodies: bigints as decimal strings. */
export function settingsJson<T extends object>(values: T): { [K in keyof T]: T[K] extends bigint ? string : T[K] } {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])) as never;
}

/**
 * Applies a change — the settings row, the currency's name/emoji, and an `economy_settings.updated` audit
 * event — in one transaction, and returns the new settings and currency.
 * `actorId` follows the audit convention: `discord:<user id>` or `token:<token id>`.
 */
export async function updateEconomySettings(
  prisma: PrismaClient,
  input: { guildId: string; actor: Actor; change: unknown },
): Promise<{ settings: EconomySettings; currency: Asset }> {
  const change = parseSettingsChange(input.change);
  const { currencyName, currencyEmoji, ...values } = change;
  const assignments = Object.entries(values).filter(([, v]) => v !== undefined) as [keyof EconomySettings, bigint | number][];
  const { guildId } = input;

  return inTransaction(prisma, async (client) => {
    // The row with the column defaults first, so the defaults live in one place (the schema).
    await client.query('INSERT INTO economy_settings (guild_id, updated_at) VALUES ($1, now()) ON CONFLICT (guild_id) DO NOTHING', [guildId]);
    const sets = assignments.map(([key], i) => `${COLUMNS[key]} = $${i + 2}`);
    await client.query(`UPDATE economy_settings SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE guild_id = $1`, [
      guildId,
      ...assignments.map(([, v]) => v.toString()),
    ]);
    const ledger = transactionLedger(client);
    let currency = await currencyOf(ledger, guildId);
    if (currencyName !== undefined || currencyEmoji !== undefined) {
      currency = await ledger.updateAsset(guildId, 'currency', { name: currencyName, emoji: currencyEmoji });
    }
    await client.query(
      `INSERT INTO audit_events (guild_id, actor_type, actor_id, action, target_type, target_id, data)
       VALUES ($1, $2, $3, 'economy_settings.updated', 'guild', $1, $4::jsonb)`,
      [guildId, input.actor.type, auditActorId(input.actor), JSON.stringify(settingsJson(change))],
    );
    const { rows } = await client.query<Record<string, string | number>>(
      `SELECT ${Object.entries(COLUMNS)
        .map(([key, column]) => `${column}${key === 'dailyAmount' || key === 'dailyStreakBonus' ? '::text' : ''} AS "${key}"`)
        .join(', ')} FROM economy_settings WHERE guild_id = $1`,
      [guildId],
    );
    const row = rows[0]!;
    return {
      currency,
      settings: {
        dailyAmount: BigInt(row.dailyAmount!),
        dailyCooldownSeconds: Number(row.dailyCooldownSeconds),
        dailyStreakBonus: BigInt(row.dailyStreakBonus!),
        dailyStreakMax: Number(row.dailyStreakMax),
        dailyStreakGraceSeconds: Number(row.dailyStreakGraceSeconds),
        adminAdjustLimitPerMinute: Math.min(Number(row.adminAdjustLimitPerMinute), MAX_ADMIN_ADJUST_LIMIT_PER_MINUTE),
      },
    };
  });
}

/** The audit trail's actor ids: `discord:<user id>`, `token:<token id>`, or a system name. */
export function auditActorId(actor: Actor): string {
  if (actor.type === 'user') return `discord:${actor.id}`;
  if (actor.type === 'api_token') return `token:${actor.id}`;
  return actor.id;
}
