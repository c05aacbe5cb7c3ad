import { ValidationError } from '../../lib/errors';
import { codeHash, codeRow, type CodeKeyring } from '../../lib/crypto/codes';
import { codeImportProblem } from '../../lib/requests/code-shop';
import type { PrismaClient } from '../../prisma/client';
import { inTransaction, poolOf } from '../../prisma/transactions';
import { OutOfStockError } from '../orders/errors';

/**
 * The code stock: codes encrypted at rest, refused when already known (by hash), reserved
 * per order with row locks that skip what others hold (`FOR UPDATE SKIP LOCKED`, so concurrent orders
 * never wait on or take the same code), marked `delivered` *before* a delivery attempt (a code that may
 * have been shown is never sold again) and released only while still `reserved` (never shown).
 * Nothing here logs a code; decrypted codes leave only through codesForDelivery.
 */

/** Printable ASCII without spaces, 4–200 characters: what a redeemable code looks like. */
const CODE_PATTERN = /^[\x21-\x7E]{4,200}$/;

export interface ImportReport {
  added: number;
  duplicates: number;
  /** Line numbers (1-based) and why; never the line itself. */
  invalid: { line: number; reason: string }[];
  available: number;
}

/** Imports codes, one per line (blank lines skipped): added, duplicates (in the batch or the stock), invalid. */
export async function importCodes(prisma: PrismaClient, keyring: CodeKeyring, guildId: string, text: string): Promise<ImportReport> {
  const problem = codeImportProblem(text);
  if (problem) throw new ValidationError(problem);
  const lines = text.split(/\r?\n/);
  const invalid: ImportReport['invalid'] = [];
  const seen = new Set<string>();
  const fresh: { hash: string; code: string }[] = [];
  let duplicates = 0;
  lines.forEach((raw, i) => {
    const code = raw.trim();
    if (!code) return;
    if (!CODE_PATTERN.test(code)) {
      invalid.push({ line: i + 1, reason: code.length < 4 ? 'too short (at least 4 characters)' : code.length > 200 ? 'too long (at most 200 characters)' : 'spaces or characters outside printable ASCII' });
      return;
    }
    const hash = codeHash(guildId, code);
    if (seen.has(hash)) {
      duplicates += 1;
      return;
    }
    seen.add(hash);
    fresh.push({ hash, code });
  });
  let added = 0;
  for (let i = 0; i < fresh.length; i += 500) {
    const chunk = fresh.slice(i, i + 500).map(({ hash, code }) => ({ hash, ...keyring.encrypt(code, codeRow(guildId, hash)) }));
    const { rows } = await poolOf(prisma).query<{ hash: string }>(
      `INSERT INTO codes (guild_id, ciphertext, iv, auth_tag, key_id, hash)
       SELECT $1, c.ciphertext, c.iv, c.auth_tag, c.key_id, c.hash
       FROM unnest($2::bytea[], $3::bytea[], $4::bytea[], $5::text[], $6::text[]) AS c(ciphertext, iv, auth_tag, key_id, hash)
       ON CONFLICT (guild_id, hash) DO NOTHING
       RETURNING hash`,
      [guildId, chunk.map((c) => c.ciphertext), chunk.map((c) => c.iv), chunk.map((c) => c.authTag), chunk.map((c) => c.keyId), chunk.map((c) => c.hash)],
    );
    added += rows.length;
    duplicates += chunk.length - rows.length;
  }
  const available = (await stockCounts(prisma, guildId)).available;
  await rearmLowStockAlert(prisma, guildId, available);
  return { added, duplicates, invalid, available };
}

export interface StockCounts {
  available: number;
  reserved: number;
  delivered: number;
}

export async function stockCounts(prisma: PrismaClient, guildId: string): Promise<StockCounts> {
  const rows = await prisma.code.groupBy({ by: ['status'], where: { guildId }, _count: { _all: true } });
  const of = (s: string) => rows.find((r) => r.status === s)?._count._all ?? 0;
  return { available: of('available'), reserved: of('reserved'), delivered: of('delivered') };
}

/**
 * Reserves `count` codes for the order, all or none (OutOfStockError). Again for the same order: the
 * codes it already holds (idempotent), also when two attempts overlap (a stalled attempt and its retry):
 * the order row's lock makes the second wait and then see the first one's codes.
 */
export async function reserveCodes(prisma: PrismaClient, guildId: string, orderId: string, count: number): Promise<{ codeIds: string[] }> {
  return inTransaction(prisma, async (client) => {
    await client.query('SELECT 1 FROM code_orders WHERE id = $1 FOR UPDATE', [orderId]);
    const held = await client.query<{ id: string }>('SELECT c.id::text AS id FROM codes c WHERE c.order_id = $1 ORDER BY c.id', [orderId]);
    if (held.rows.length >= count) return { codeIds: held.rows.map((r) => r.id) };
    const need = count - held.rows.length;
    const picked = await client.query<{ id: string }>(
      `SELECT c.id::text AS id FROM codes c WHERE c.guild_id = $1 AND c.status = 'available' ORDER BY c.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [guildId, need],
    );
    if (picked.rows.length < need) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM codes WHERE guild_id = $1 AND status = 'available'`, [guildId]);
      throw new OutOfStockError(count, Number(rows[0]?.n ?? 0) + held.rows.length);
    }
    await client.query(`UPDATE codes SET status = 'reserved', order_id = $2, reserved_at = now() WHERE id = ANY($1::bigint[])`, [picked.rows.map((r) => r.id), orderId]);
    return { codeIds: [...held.rows, ...picked.rows].map((r) => r.id) };
  });
}

/** Before a delivery attempt: the order's codes may be seen from now on (never sold again). */
export async function markCodesShown(prisma: PrismaClient, orderId: string): Promise<number> {
  return prisma.$executeRaw`UPDATE codes SET status = 'delivered', shown_at = coalesce(shown_at, now()) WHERE order_id = ${orderId} AND status = 'reserved'`;
}

/** Cancel/refund: codes never shown go back to stock; shown ones stay with the order. */
export async function releaseCodes(prisma: PrismaClient, orderId: string): Promise<{ released: number; kept: number }> {
  const released = await prisma.$executeRaw`UPDATE codes SET status = 'available', order_id = NULL, reserved_at = NULL WHERE order_id = ${orderId} AND status = 'reserved'`;
  const kept = await prisma.code.count({ where: { orderId, status: 'delivered' } });
  return { released, kept };
}

/** The order's codes in clear, for the delivery message only. */
export async function codesForDelivery(prisma: PrismaClient, keyring: CodeKeyring, orderId: string): Promise<string[]> {
  const rows = await prisma.code.findMany({ where: { orderId }, orderBy: { id: 'asc' }, select: { guildId: true, hash: true, ciphertext: true, iv: true, authTag: true, keyId: true } });
  return rows.map((r) => keyring.decrypt({ ciphertext: Buffer.from(r.ciphertext), iv: Buffer.from(r.iv), authTag: Buffer.from(r.authTag), keyId: r.keyId }, codeRow(r.guildId, r.hash)));
}

export async function getCodeShopSettings(prisma: PrismaClient, guildId: string) {
  return prisma.codeShopSettings.upsert({ where: { guildId }, create: { guildId }, update: {} });
}

/**
 * After stock went down: true exactly once per crossing of the threshold (the flag is set in the same
 * statement that finds it unset), so the admins are alerted once until the stock rises again.
 */
export async function lowStockCrossed(prisma: PrismaClient, guildId: string): Promise<{ alert: boolean; available: number; threshold: number }> {
  const settings = await getCodeShopSettings(prisma, guildId);
  const { available } = await stockCounts(prisma, guildId);
  if (available > settings.lowStockThreshold) return { alert: false, available, threshold: settings.lowStockThreshold };
  const flipped = await prisma.codeShopSettings.updateMany({ where: { guildId, lowStockAlerted: false }, data: { lowStockAlerted: true } });
  return { alert: flipped.count === 1, available, threshold: settings.lowStockThreshold };
}

/** Stock rose above the threshold: the next crossing alerts again. */
async function rearmLowStockAlert(prisma: PrismaClient, guildId: string, available: number): Promise<void> {
  const settings = await getCodeShopSettings(prisma, guildId);
  if (available > settings.lowStockThreshold && settings.lowStockAlerted) {
    await prisma.codeShopSettings.update({ where: { guildId }, data: { lowStockAlerted: false } });
  }
}

