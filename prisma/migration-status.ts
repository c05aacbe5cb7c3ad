import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * True when the database has every migration in `dir` applied exactly as it is on disk (same checksum, as
 * Prisma records it: sha256 of migration.sql), none rolled back or failed, and none that the folder lacks.
 * One query: a start with nothing to apply skips loading the schema engine (~1 s and tens of MB of
 * WebAssembly). Anything else, including a table that does not exist yet, is the engine's to handle.
 */
export async function migrationsUpToDate(databaseUrl: string, dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const onDisk = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = path.join(dir, entry.name, 'migration.sql');
    if (!existsSync(file)) return false;
    onDisk.set(entry.name, createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  let rows: { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }[];
  try {
    await client.connect();
    rows = (await client.query('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations')).rows;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
  const applied = new Map<string, string>();
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue; // a rolled-back attempt; a later row may apply it again
    if (row.finished_at === null) return false; // failed and unresolved: the engine reports it
    applied.set(row.migration_name, row.checksum);
  }
  if (applied.size !== onDisk.size) return false;
  for (const [name, checksum] of onDisk) if (applied.get(name) !== checksum) return false;
  return true;
}
