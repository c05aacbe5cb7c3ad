import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrationsUpToDate } from '../../prisma/migration-status';
import { deployMigrations, MIGRATIONS_DIR } from '../../prisma/migrator';
import { createEmptyDatabase } from '../helpers/database';

/** The fast path that lets a start skip the schema engine: true only when nothing could be left to do. */
describe('migrationsUpToDate', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'gf-migration-status-'));
  const migrations = path.join(dir, 'migrations');
  beforeAll(async () => {
    db = await createEmptyDatabase();
    cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sql(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(text);
    await client.end();
  }

  it('is false before the first deploy and true after it', async () => {
    expect(await migrationsUpToDate(db.url, migrations)).toBe(false);
    await deployMigrations(db.url, { migrationsDir: migrations });
    expect(await migrationsUpToDate(db.url, migrations)).toBe(true);
  });

  it('is false for a new migration on disk, an edited one, or an unresolved failure, and for an unreachable database', async () => {
    mkdirSync(path.join(migrations, '29991231000000_later'));
    writeFileSync(path.join(migrations, '29991231000000_later', 'migration.sql'), 'CREATE TABLE later (id int);\n');
    expect(await migrationsUpToDate(db.url, migrations)).toBe(false);
    rmSync(path.join(migrations, '29991231000000_later'), { recursive: true });
    expect(await migrationsUpToDate(db.url, migrations)).toBe(true);

    await sql(`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = (SELECT min(migration_name) FROM _prisma_migrations)`);
    expect(await migrationsUpToDate(db.url, migrations)).toBe(false);

    await sql(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('failed', 'x', '29991231000000_later', now(), 0)`);
    expect(await migrationsUpToDate(db.url, migrations)).toBe(false);

    const unreachable = new URL(db.url);
    unreachable.port = '1';
    expect(await migrationsUpToDate(unreachable.toString(), migrations)).toBe(false);
  });
});
