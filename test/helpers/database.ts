import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { deployMigrations } from '../../prisma/migrator';
import { ADMIN_URL_ENV } from '../setup/database-mode';

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  /** Disconnects the client and drops the database, even while other connections remain. */
  drop(): Promise<void>;
}

/**
 * Where test databases are created: any PostgreSQL role allowed to CREATE DATABASE. The jest global setup
 * chose it (test/setup/database.ts); outside jest (benchmarks) TEST_DATABASE_ADMIN_URL or the local server.
 */
const TEST_DATABASE_ADMIN_URL =
  process.env[ADMIN_URL_ENV] ?? process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The PostgreSQL server test databases live on (its admin URL), for code that creates databases of its own. */
export function testDatabaseServerUrl(): string {
  return TEST_DATABASE_ADMIN_URL;
}

/** Drops databases a test made on that server, even while connections remain. */
export async function dropDatabases(...names: string[]): Promise<void> {
  for (const name of names) await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** A fresh, empty database (no migrations) and its URL, for tests of the migrations themselves. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `gf_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_DATABASE_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** A fresh database with every migration applied, and a client for it. Each test file gets its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  try {
    await deployMigrations(db.url);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const prisma = createPrismaClient(db.url, { poolSize: 4 });
  return {
    url: db.url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await db.drop();
    },
  };
}
