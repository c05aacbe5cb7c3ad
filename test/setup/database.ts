import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../lib/dev/embedded-postgres';
import type { Logger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import { ADMIN_URL_ENV, chooseDatabaseMode, probeUrl } from './database-mode';

/**
 * The PostgreSQL for the whole jest run (see database-mode.ts for the choice). Test files create their own
 * databases on it through ADMIN_URL_ENV, which the jest workers inherit (they start after globalSetup).
 */

const holder = globalThis as { __gfTestPostgres?: { server: EmbeddedPostgres; dir: string } };

export async function startSharedDatabase(log: Logger): Promise<void> {
  const probe = probeUrl(process.env);
  const mode = chooseDatabaseMode(process.env, probe !== undefined && (await answers(probe)));
  if (mode.kind !== 'embedded') {
    log.info({ mode: mode.kind }, mode.kind === 'given' ? 'tests use TEST_DATABASE_ADMIN_URL' : `tests use the PostgreSQL server at ${probe}`);
    process.env[ADMIN_URL_ENV] = mode.adminUrl;
    return;
  }
  log.info(`no PostgreSQL answers at ${probe}: starting an embedded PostgreSQL for this test run`);
  const dir = await mkdtemp(path.join(tmpdir(), 'gf-test-postgres-'));
  // Throwaway data (no fsync); room for two jest workers' databases, pools and worker processes.
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort(), log, durable: false, settings: { max_connections: 300 } });
  holder.__gfTestPostgres = { server, dir };
  process.env[ADMIN_URL_ENV] = server.url;
}

export async function stopSharedDatabase(): Promise<void> {
  const started = holder.__gfTestPostgres;
  holder.__gfTestPostgres = undefined;
  if (!started) return;
  await started.server.stop();
  await rm(started.dir, { recursive: true, force: true });
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
