import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { deployMigrations, MIGRATIONS_DIR } from '../../prisma/migrator';
import { createEmptyDatabase } from '../helpers/database';

const OWNER_MIGRATION = '20261204000100_api_token_owner';

/**
 * Tokens minted before owners were recorded get one: a Discord minter owns theirs, a token minted by a
 * token inherits down the chain, the operator's keep none.
 */
describe(`migration ${OWNER_MIGRATION}`, () => {
  let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let dir: string;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'gf-migrations-'));
    for (const name of readdirSync(MIGRATIONS_DIR)) {
      if (name !== OWNER_MIGRATION) cpSync(path.join(MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
    }
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('backfills each token’s owner from its minter, down chains of tokens', async () => {
    await deployMigrations(db.url, { migrationsDir: dir });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ('100000000000000001', 'G', '200000000000000001', now())`);
      const tokens: [string, string][] = [
        ['byperson0001', 'discord:300000000000000001'],
        ['child0000001', 'token:byperson0001'],
        ['grandchild01', 'token:child0000001'],
        ['byoperator01', 'cli'],
        ['opchild00001', 'token:byoperator01'],
      ];
      for (const [i, [id, createdBy]] of tokens.entries()) {
        await client.query(
          `INSERT INTO api_tokens (id, guild_id, name, level, secret_hash, created_by) VALUES ($1, '100000000000000001', $1, 'admin', $2, $3)`,
          [id, String(i).repeat(64), createdBy],
        );
      }
      cpSync(path.join(MIGRATIONS_DIR, OWNER_MIGRATION), path.join(dir, OWNER_MIGRATION), { recursive: true });
      expect(await deployMigrations(db.url, { migrationsDir: dir })).toEqual({ applied: [OWNER_MIGRATION] });
      const { rows } = await client.query<{ id: string; owner_user_id: string | null }>('SELECT id, owner_user_id FROM api_tokens ORDER BY id');
      expect(Object.fromEntries(rows.map((r) => [r.id, r.owner_user_id]))).toEqual({
        byperson0001: '300000000000000001',
        child0000001: '300000000000000001',
        grandchild01: '300000000000000001',
        byoperator01: null,
        opchild00001: null,
      });
    } finally {
      await client.end();
    }
  });
});
