import type { CodeKeyring, RowBinding } from '../../lib/crypto/codes';
import { codeRow, gameSecretRow } from '../../lib/crypto/codes';
import type { PrismaClient } from '../../prisma/client';
import { poolOf } from '../../prisma/transactions';

/**
 * Key rotation: rewrites every stored secret (codes, game secrets) that is not yet in the current format
 * under the current key. Batches walk the rows by id; each batch is one UPDATE that only replaces a row
 * still holding the ciphertext it read (compare-and-set on the key id), so a second run — after a crash,
 * or beside another — rewrites only what is left and never undoes newer work. Plaintext exists only
 * between decrypt and encrypt here; nothing is logged but counts.
 */
export interface RekeyProgress {
  table: 'codes' | 'roblox_games';
  rewritten: number;
}

export interface RekeyReport {
  codes: number;
  gameSecrets: number;
}

interface SealedRow {
  id: string;
  keyId: string;
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  binding: RowBinding;
}

interface SealedTable {
  name: RekeyProgress['table'];
  /** The rows after `after` (by id) that are not in the current key id, at most `limit`. */
  select: string;
  update: string;
  toRow(r: Record<string, unknown>): SealedRow;
}

const CODES: SealedTable = {
  name: 'codes',
  select: `SELECT id::text AS id, guild_id, hash, ciphertext, iv, auth_tag, key_id FROM codes
           WHERE key_id <> $1 AND ($2::text IS NULL OR id > $2::bigint) ORDER BY id LIMIT $3`,
  update: `UPDATE codes c SET ciphertext = n.ciphertext, iv = n.iv, auth_tag = n.auth_tag, key_id = n.key_id
           FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[]) AS n(id, old_key_id, ciphertext, iv, auth_tag, key_id)
           WHERE c.id = n.id::bigint AND c.key_id = n.old_key_id`,
  toRow: (r) => ({ id: String(r.id), keyId: String(r.key_id), ciphertext: r.ciphertext as Buffer, iv: r.iv as Buffer, authTag: r.auth_tag as Buffer, binding: codeRow(String(r.guild_id), String(r.hash)) }),
};

const GAME_SECRETS: SealedTable = {
  name: 'roblox_games',
  select: `SELECT id, guild_id, secret_ciphertext AS ciphertext, secret_iv AS iv, secret_auth_tag AS auth_tag, secret_key_id AS key_id FROM roblox_games
           WHERE secret_key_id <> $1 AND ($2::text IS NULL OR id > $2::text) ORDER BY id LIMIT $3`,
  update: `UPDATE roblox_games g SET secret_ciphertext = n.ciphertext, secret_iv = n.iv, secret_auth_tag = n.auth_tag, secret_key_id = n.key_id
           FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[]) AS n(id, old_key_id, ciphertext, iv, auth_tag, key_id)
           WHERE g.id = n.id AND g.secret_key_id = n.old_key_id`,
  toRow: (r) => ({ id: String(r.id), keyId: String(r.key_id), ciphertext: r.ciphertext as Buffer, iv: r.iv as Buffer, authTag: r.auth_tag as Buffer, binding: gameSecretRow(String(r.guild_id), String(r.id)) }),
};

async function rekeyTable(prisma: PrismaClient, keyring: CodeKeyring, table: SealedTable, batchSize: number, onBatch: (p: RekeyProgress) => void | Promise<void>): Promise<number> {
  const pool = poolOf(prisma);
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const { rows }: { rows: Record<string, unknown>[] } = await pool.query<Record<string, unknown>>(table.select, [keyring.storedKeyId, after, batchSize]);
    if (rows.length === 0) return total;
    const sealed: SealedRow[] = rows.map(table.toRow);
    const fresh = sealed.map((row) => keyring.encrypt(keyring.decrypt(row, row.binding), row.binding));
    const result = await pool.query(table.update, [
      sealed.map((r) => r.id),
      sealed.map((r) => r.keyId),
      fresh.map((f) => f.ciphertext),
      fresh.map((f) => f.iv),
      fresh.map((f) => f.authTag),
      fresh.map((f) => f.keyId),
    ]);
    total += result.rowCount ?? 0;
    after = sealed[sealed.length - 1]!.id;
    await onBatch({ table: table.name, rewritten: result.rowCount ?? 0 });
  }
}

/** Re-encrypts every code and game secret not yet under the keyring's current key (v2 format). */
export async function reencryptSecrets(prisma: PrismaClient, keyring: CodeKeyring, opts: { batchSize?: number; onBatch?: (p: RekeyProgress) => void | Promise<void> } = {}): Promise<RekeyReport> {
  const batchSize = opts.batchSize ?? 500;
  const onBatch = opts.onBatch ?? (() => undefined);
  const codes = await rekeyTable(prisma, keyring, CODES, batchSize, onBatch);
  const gameSecrets = await rekeyTable(prisma, keyring, GAME_SECRETS, batchSize, onBatch);
  return { codes, gameSecrets };
}
