import pg from 'pg';
import { createPrismaClient, sqlPool } from '../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('createPrismaClient', () => {
  it('runs Prisma on one pg pool that SQL hot paths share, capped at poolSize', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 3 });
    const pool = sqlPool(prisma)!;
    try {
      expect(pool.options.max).toBe(3);
      await Promise.all([prisma.guild.count(), pool.query('SELECT 1'), pool.query('SELECT pg_sleep(0.05)'), prisma.member.count()]);
      expect(pool.totalCount).toBeLessThanOrEqual(3);
      expect(pool.totalCount).toBeGreaterThan(0);
    } finally {
      await prisma.$disconnect();
    }
    expect(pool.ended).toBe(true);
    await prisma.$disconnect(); // twice is harmless
  });

  it('ends the pool on $disconnect even when only the SQL path used it', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 2 });
    const pool = sqlPool(prisma)!;
    await pool.query('SELECT 1');
    await prisma.$disconnect();
    expect(pool.ended).toBe(true);
    expect(pool.totalCount).toBe(0);
  });

  it('keeps a connection the server only refused a statement on, and drops a broken one', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 1 });
    const pool = sqlPool(prisma)!;
    const pid = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    try {
      const first = await pid();
      await expect(pool.query('SELECT 1/0')).rejects.toThrow('division by zero');
      await expect(prisma.$queryRawUnsafe('SELECT 1/0')).rejects.toThrow(/division by zero/);
      expect(await pid()).toBe(first);
      // The callback form too.
      const viaCallback = await new Promise((resolve, reject) => {
        void pool.query('SELECT 2 AS two', [], (err: Error | undefined, res: { rows: unknown[] }) => (err ? reject(err) : resolve(res.rows)));
      });
      expect(viaCallback).toEqual([{ two: 2 }]);

      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [first]);
      await admin.end();
      // Depending on timing the pool notices the dead connection while idle or on its next query (which
      // then fails): either way it is not used again.
      await pool.query('SELECT 1').catch(() => undefined);
      const second = await pid();
      expect(second).not.toBe(first);
      expect(pool.totalCount).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('has no pool for a client it did not make', () => {
    expect(sqlPool({} as never)).toBeUndefined();
  });
});
