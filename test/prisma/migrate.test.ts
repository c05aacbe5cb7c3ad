import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { waitFor } from '../../lib/wait';
import { createPrismaClient } from '../../prisma/client';
import { createMigration, deployMigrations, MIGRATIONS_DIR, resolveMigration, SCHEMA_PATH } from '../../prisma/migrator';
import { createEmptyDatabase, createTestDatabase } from '../helpers/database';

/** Every committed migration, in the order they apply. */
const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const FOUNDATION = MIGRATIONS.find((name) => name.endsWith('_foundation'))!;
const TABLES = [
  '_prisma_migrations',
  'announcements',
  'api_tokens',
  'audit_events',
  'bot_shard_status',
  'card_alert_notices',
  'card_collection_items',
  'card_email_confirmations',
  'card_escrows',
  'card_haves',
  'card_lookups',
  'card_notifications',
  'card_payout_accounts',
  'card_printings',
  'card_settings',
  'card_trade_disputes',
  'card_trade_lines',
  'card_trade_messages',
  'card_trade_proposals',
  'card_trade_ratings',
  'card_trade_reservations',
  'card_traders',
  'card_wants',
  'code_order_redeliveries',
  'code_orders',
  'code_packages',
  'code_shop_settings',
  'codes',
  'dashboard_refresh_tokens',
  'dashboard_sessions',
  'economy_daily_claims',
  'economy_settings',
  'embed_drafts',
  'events',
  'game_deposits',
  'guild_settings',
  'guilds',
  'inventory_items',
  'inventory_movements',
  'ledger_accounts',
  'ledger_archived_entries',
  'ledger_assets',
  'ledger_day_volume',
  'ledger_days_cached',
  'ledger_entries',
  'ledger_hold_tombstones',
  'ledger_holds',
  'ledger_hour_volume',
  'ledger_hours_cached',
  'ledger_postings',
  'member_grants',
  'members',
  'pad_sessions',
  'pad_settings',
  'payment_notifications',
  'payments',
  'pet_holdings',
  'pet_movements',
  'pet_species',
  'rate_limit_hits',
  'roblox_game_nonces',
  'roblox_games',
  'roblox_group_binds',
  'roblox_links',
  'saved_embeds',
  'shop_items',
  'shop_purchases',
  'stripe_events',
  'sync_channels',
  'sync_messages',
  'task_claims',
  'task_settings',
  'tasks',
  'ticket_settings',
  'ticket_transcript_chunks',
  'ticket_transcripts',
  'ticket_types',
  'tickets',
  'trade_settings',
  'verification_settings',
  'verifications',
  'withdrawals',
];

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Everything a migration could change: columns, constraints, indexes, enums and the migration records. */
async function schemaSnapshot(url: string): Promise<unknown> {
  const [row] = await query<{ snapshot: unknown }>(
    url,
    `SELECT json_build_object(
       'columns', (SELECT json_agg(concat_ws(':', table_name, column_name, data_type, is_nullable, column_default) ORDER BY table_name, column_name)
                   FROM information_schema.columns WHERE table_schema = 'public'),
       'constraints', (SELECT json_agg(concat_ws(':', conrelid::regclass, conname, pg_get_constraintdef(oid)) ORDER BY conname)
                       FROM pg_constraint WHERE connamespace = 'public'::regnamespace),
       'indexes', (SELECT json_agg(indexdef ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public'),
       'enums', (SELECT json_agg(concat_ws(':', t.typname, e.enumlabel) ORDER BY t.typname, e.enumsortorder)
                 FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid),
       'migrations', (SELECT json_agg(json_build_object('id', id, 'checksum', checksum, 'started_at', started_at,
                                      'finished_at', finished_at, 'steps', applied_steps_count) ORDER BY migration_name)
                      FROM _prisma_migrations)
     ) AS snapshot`,
  );
  return row?.snapshot;
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gf-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function countHandles(): Record<string, number> {
  const counts: Record<string, number> = { TCPSocketWrap: 0, Timeout: 0 };
  for (const resource of process.getActiveResourcesInfo()) if (resource in counts) counts[resource]! += 1;
  return counts;
}

describe('deployMigrations', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  beforeEach(async () => {
    db = await createEmptyDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('applies every migration to an empty database and records them as the CLI would', async () => {
    expect(MIGRATIONS[0]).toBe(FOUNDATION);
    expect(await deployMigrations(db.url)).toEqual({ applied: MIGRATIONS });

    const tables = await query<{ table_name: string }>(
      db.url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(TABLES);
    const records = await query(
      db.url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(records).toEqual(
      MIGRATIONS.map((name) => ({
        migration_name: name,
        checksum: createHash('sha256').update(readFileSync(path.join(MIGRATIONS_DIR, name, 'migration.sql'), 'utf8')).digest('hex'),
        finished_at: expect.any(Date),
        rolled_back_at: null,
        applied_steps_count: 1,
      })),
    );
  });

  it('applies nothing and changes nothing the second time', async () => {
    await deployMigrations(db.url);
    const before = await schemaSnapshot(db.url);
    expect(before).toMatchObject({ migrations: MIGRATIONS.map(() => expect.objectContaining({ checksum: expect.any(String) })) });

    expect(await deployMigrations(db.url)).toEqual({ applied: [] });
    expect(await schemaSnapshot(db.url)).toEqual(before);
  });

  it('leaves no timers or sockets behind (a jest worker or CLI can exit)', async () => {
    const before = countHandles();
    await deployMigrations(db.url);
    // Jest's own timers come and go, so "no more than before" rather than "equal"; the engine's leftover
    // would be a 10 s timer, which a 1 s wait cannot hide.
    const within = () => Object.entries(countHandles()).every(([type, n]) => n <= before[type]!);
    await waitFor(within, { timeoutMs: 1000, intervalMs: 20, what: `open handles to return to at most ${JSON.stringify(before)}` });
  });

  it('records a broken migration as failed, rolls back its statements, and refuses later deploys', async () => {
    const dir = copyOfMigrations();
    try {
      mkdirSync(path.join(dir, '29991231235959_broken'));
      writeFileSync(
        path.join(dir, '29991231235959_broken', 'migration.sql'),
        'CREATE TABLE "half_done" ("id" INTEGER);\nINSERT INTO "no_such_table" VALUES (1);\n',
      );

      await expect(deployMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(
        /^Migration 29991231235959_broken failed: .*relation "no_such_table" does not exist \(SQLSTATE 42P01/,
      );
      const records = await query<{ migration_name: string; finished_at: Date | null; logs: string | null }>(
        db.url,
        'SELECT migration_name, finished_at, logs FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(records.map((r) => [r.migration_name, r.finished_at !== null])).toEqual([
        ...MIGRATIONS.map((name) => [name, true]),
        ['29991231235959_broken', false],
      ]);
      expect(records.at(-1)?.logs).toMatch(/no_such_table/);
      // One simple query per script: PostgreSQL ran it in one transaction, so nothing half-applied stays.
      expect(await query(db.url, `SELECT to_regclass('public.half_done') AS t`)).toEqual([{ t: null }]);

      await expect(deployMigrations(db.url, { migrationsDir: dir })).rejects.toThrow(/failed migrations[\s\S]*29991231235959_broken[\s\S]*resolve --rolled-back/);

      // The way out: fix the migration, mark the failed attempt rolled back, deploy again.
      writeFileSync(path.join(dir, '29991231235959_broken', 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\n');
      await resolveMigration(db.url, '29991231235959_broken', 'rolled-back', { migrationsDir: dir });
      expect(await deployMigrations(db.url, { migrationsDir: dir })).toEqual({ applied: ['29991231235959_broken'] });
      expect(await query(db.url, `SELECT to_regclass('public.half_done')::text AS t`)).toEqual([{ t: 'half_done' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the foundation schema', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('enforces its CHECK constraints', async () => {
    const insert = (sql: string) => query(db.url, sql);
    await insert(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ('100000000000000001', 'Ok', '200000000000000001', now())`);

    await expect(insert(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ('not-a-snowflake', 'X', '2', now())`)).rejects.toThrow(
      /guilds_id_snowflake_check/,
    );
    const token = (hash: string) =>
      insert(`INSERT INTO api_tokens (id, guild_id, name, level, secret_hash, created_by)
              VALUES ('abcdef012345', '100000000000000001', 'ci', 'admin', '${hash}', 'cli')`);
    await expect(token('AB'.repeat(32))).rejects.toThrow(/api_tokens_secret_hash_sha256_check/);
    await expect(token('ab'.repeat(31))).rejects.toThrow(/api_tokens_secret_hash_sha256_check/);
    await token('ab'.repeat(32));
    await expect(
      insert(`INSERT INTO audit_events (guild_id, actor_type, actor_id, action) VALUES ('100000000000000001', 'robot', '1', 'x')`),
    ).rejects.toThrow(/audit_events_actor_type_check/);
    await expect(
      insert(`INSERT INTO guild_settings (guild_id, admin_role_ids, updated_at) VALUES ('100000000000000001', ARRAY['123', 'abc'], now())`),
    ).rejects.toThrow(/guild_settings_admin_role_ids_check/);
  });

  it('is read and written by the generated client through the pg adapter', async () => {
    const guild = await db.prisma.guild.create({
      data: { id: '100000000000000002', name: 'Guildflow HQ', ownerId: '200000000000000002', settings: { create: { adminRoleIds: ['300000000000000001'] } } },
      include: { settings: true },
    });
    expect(guild.settings).toMatchObject({ adminRoleIds: ['300000000000000001'], modRoleIds: [], locale: 'en', verifiedRoleId: null });
    expect(guild.createdAt).toBeInstanceOf(Date);

    const event = await db.prisma.auditEvent.create({
      data: { guildId: guild.id, actorType: 'system', actorId: 'cli', action: 'guild.joined', data: { invitedBy: '200000000000000002' } },
    });
    expect(typeof event.id).toBe('bigint');

    const events = await db.prisma.auditEvent.findMany({ where: { guildId: guild.id }, orderBy: { createdAt: 'desc' } });
    expect(events).toEqual([expect.objectContaining({ id: event.id, action: 'guild.joined', data: { invitedBy: '200000000000000002' } })]);
    await expect(db.prisma.guild.create({ data: { id: 'nope', name: 'x', ownerId: '1' } })).rejects.toThrow(/guilds_id_snowflake_check/);
  });

  it('has a client factory that honours the pool size and disconnects', async () => {
    const prisma = createPrismaClient(db.url, { poolSize: 1 });
    try {
      expect(await prisma.guild.count()).toBeGreaterThanOrEqual(0);
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe('createMigration', () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let dir: string;
  beforeEach(async () => {
    db = await createEmptyDatabase();
    dir = copyOfMigrations();
  });
  afterEach(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const shadowDatabases = async () =>
    (await query<{ datname: string }>(db.url, `SELECT datname FROM pg_database WHERE datname LIKE 'gf_shadow_%'`)).map((r) => r.datname);

  it('finds prisma/schema.prisma and the committed migrations in agreement (CHECK constraints are no drift)', async () => {
    const shadowsBefore = await shadowDatabases();
    expect(await createMigration(db.url, 'anything', { migrationsDir: dir })).toEqual({ created: null });
    expect(readdirSync(dir).sort()).toEqual(readdirSync(MIGRATIONS_DIR).sort());
    // It caught the empty database up on the way.
    expect(await query(db.url, 'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name')).toEqual(
      MIGRATIONS.map((name) => ({ migration_name: name })),
    );
    expect(await shadowDatabases()).toEqual(shadowsBefore);
  });

  it('turns a schema change into a new migration folder and applies it', async () => {
    const schemaPath = path.join(dir, 'schema.prisma');
    writeFileSync(schemaPath, readFileSync(SCHEMA_PATH, 'utf8').replace('  displayName String?', '  nickname    String?\n  displayName String?'));

    const { created } = await createMigration(db.url, 'Add member nickname', { migrationsDir: dir, schemaPath });
    expect(created).toMatch(/^\d{14}_add_member_nickname$/);
    expect(readFileSync(path.join(dir, created!, 'migration.sql'), 'utf8')).toMatch(/ALTER TABLE "members" ADD COLUMN\s+"nickname" TEXT;/);
    expect(await query(db.url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'nickname'`)).toHaveLength(1);

    expect(await createMigration(db.url, 'again', { migrationsDir: dir, schemaPath })).toEqual({ created: null });
  });

  it('refuses a database that has drifted from the migrations instead of resetting it', async () => {
    await deployMigrations(db.url);
    await query(db.url, 'ALTER TABLE guilds ADD COLUMN stray INTEGER');
    await expect(createMigration(db.url, 'x', { migrationsDir: dir })).rejects.toThrow(/Drift detected[\s\S]*drop and recreate it/);
    expect(await query(db.url, `SELECT 1 AS still_there FROM information_schema.columns WHERE column_name = 'stray'`)).toHaveLength(1);
  });
});
