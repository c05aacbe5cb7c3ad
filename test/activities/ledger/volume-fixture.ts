import pg from 'pg';
import type { Ledger } from '../../../activities/ledger';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { ledgerOn } from '../../helpers/ledger';

/** A test database with a ledger for the stats' volume caches, and a way to date entries in the past. */
export interface VolumeFixture {
  prisma: PrismaClient;
  ledger: Ledger;
  sql: pg.Pool;
  /** Moves an entry (created, and posted or voided) to `at`, as if made then. */
  postedAt(key: string, at: number): Promise<void>;
  close(): Promise<void>;
}

export async function volumeFixture(): Promise<VolumeFixture> {
  const db: TestDatabase = await createTestDatabase();
  const { prisma, ledger } = ledgerOn(db.url, 8);
  const sql = new pg.Pool({ connectionString: db.url, max: 3 });
  return {
    prisma,
    ledger,
    sql,
    async postedAt(key, at) {
      const { rowCount } = await sql.query(
        `UPDATE ledger_entries SET created_at = $2::timestamptz, posted_at = CASE WHEN posted_at IS NULL THEN NULL ELSE $2::timestamptz END,
                voided_at = CASE WHEN voided_at IS NULL THEN NULL ELSE $2::timestamptz END WHERE idempotency_key = $1`,
        [key, new Date(at)],
      );
      expect(rowCount).toBe(1);
    },
    async close() {
      await sql.end();
      await prisma.$disconnect();
      await db.drop();
    },
  };
}
