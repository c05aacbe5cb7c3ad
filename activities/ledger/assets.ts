import type { SqlPool } from '../../prisma/transactions';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { checkAsset, checkGuildId } from './codec';
import { UnknownAssetError } from './errors';
import type { Asset, AssetCode } from './types';

/** The assets every guild has; created by ensureGuildAssets (and on first use by the ledger). */
export const DEFAULT_ASSETS: readonly { code: AssetCode; name: string; emoji: string }[] = [
  { code: 'currency', name: 'Coins', emoji: '🪙' },
  { code: 'gems', name: 'Gems', emoji: '💎' },
];

interface AssetRow {
  id: number;
  guild_id: string;
  code: string;
  name: string;
  emoji: string;
  created_at: Date;
}

const toAsset = (r: AssetRow): Asset => ({ id: r.id, guildId: r.guild_id, code: r.code, name: r.name, emoji: r.emoji, createdAt: r.created_at });

function checkLabel(name: string | undefined, emoji: string | undefined): void {
  if (name !== undefined && (name.trim() === '' || name.length > 64)) throw new ValidationError('An asset name must be 1–64 characters.');
  if (emoji !== undefined && (emoji.length < 1 || emoji.length > 100)) throw new ValidationError('An asset emoji must be 1–100 characters.');
}

/**
 * Creates the guild's default assets that it does not have yet ('currency' — named `currency.name`/
 * `currency.emoji` when given, else Coins 🪙 — and 'gems' 💎) and returns all its assets. Idempotent: an
 * existing asset keeps its name and emoji.
 */
export async function ensureGuildAssets(
  db: Pick<SqlPool, 'query'>,
  guildId: string,
  opts: { currency?: { name?: string; emoji?: string } } = {},
): Promise<Asset[]> {
  checkGuildId(guildId);
  checkLabel(opts.currency?.name, opts.currency?.emoji);
  const defaults = DEFAULT_ASSETS.map((a) => (a.code === 'currency' ? { ...a, ...opts.currency } : a));
  try {
    await db.query(
      `INSERT INTO ledger_assets (guild_id, code, name, emoji)
       SELECT $1, d.code, d.name, d.emoji FROM jsonb_to_recordset($2::jsonb) AS d(code text, name text, emoji text)
       ON CONFLICT (guild_id, code) DO NOTHING`,
      [guildId, JSON.stringify(defaults)],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new NotFoundError(`Guild ${guildId} is not known to Guildflow (invite the bot first).`);
    throw err;
  }
  return listAssets(db, guildId);
}

export async function listAssets(db: Pick<SqlPool, 'query'>, guildId: string): Promise<Asset[]> {
  checkGuildId(guildId);
  const { rows } = await db.query<AssetRow>('SELECT id, guild_id, code, name, emoji, created_at FROM ledger_assets WHERE guild_id = $1 ORDER BY id', [guildId]);
  return rows.map(toAsset);
}

/** Renames an asset or changes its emoji (e.g. `/economy settings`). */
export async function updateAsset(
  db: Pick<SqlPool, 'query'>,
  guildId: string,
  code: AssetCode,
  change: { name?: string; emoji?: string },
): Promise<Asset> {
  checkGuildId(guildId);
  checkAsset(code);
  checkLabel(change.name, change.emoji);
  const { rows } = await db.query<AssetRow>(
    `UPDATE ledger_assets SET name = coalesce($3, name), emoji = coalesce($4, emoji)
     WHERE guild_id = $1 AND code = $2 RETURNING id, guild_id, code, name, emoji, created_at`,
    [guildId, code, change.name?.trim() ?? null, change.emoji ?? null],
  );
  const row = rows[0];
  if (!row) throw new UnknownAssetError(guildId, code);
  return toAsset(row);
}
