import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';

/** Discrete connection settings: `pg` lets a connectionString override `database`, so we never pass one. */
export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

const SSL_MODES: Record<string, PgConnectionConfig['ssl']> = {
  disable: false,
  prefer: { rejectUnauthorized: false },
  require: { rejectUnauthorized: false },
  'no-verify': { rejectUnauthorized: false },
  'verify-ca': true,
  'verify-full': true,
};

export function parseDatabaseUrl(url: string): PgConnectionConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database).');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${u.protocol}//).`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database (postgres://user@host:5432/<database>).');
  const config: PgConnectionConfig = {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database,
  };
  if (u.password) config.password = decodeURIComponent(u.password);
  for (const [key, value] of u.searchParams) {
    if (key === 'sslmode' && value in SSL_MODES) config.ssl = SSL_MODES[value];
    // Migrations always target `public`; silently migrating another schema's tables there would be worse.
    else if (key === 'schema' && value !== 'public') throw new Error(`DATABASE_URL: schema=${value} is not supported; use the public schema.`);
  }
  return config;
}

const CHAR_OID = 18; // PostgreSQL's internal one-byte "char" (pg_class.relkind, pg_constraint.contype, …)
const BPCHAR_OID = 1042;

// Reaches PgQueryable's private query path, which both the adapter and its transactions go through.
// Versions are pinned; the shape is checked at runtime so an upgrade fails loudly instead of subtly.
interface PgQueryableInternals {
  performIO(query: SqlQuery): Promise<pg.QueryArrayResult>;
  queryRaw(query: SqlQuery): Promise<SqlResultSet>;
  onError(error: unknown): never;
}

/**
 * Pitfall (b): the engine reads catalog columns of type "char", which adapter-pg refuses to decode. They
 * pass adapter-pg's type check as bpchar, then reach the engine as Character (it expects a char there:
 * as Text, describing a table with a CHECK constraint panics).
 */
function readCharColumns(queryable: object): void {
  const q = queryable as PgQueryableInternals;
  if (typeof q.performIO !== 'function') throw new Error('@prisma/adapter-pg changed: performIO not found; revisit prisma/migration-adapter.ts.');
  const charColumns = new WeakMap<unknown[], number[]>(); // keyed by the rows array queryRaw passes through
  const performIO = q.performIO.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    const columns: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = BPCHAR_OID;
      columns.push(i);
    });
    if (columns.length > 0) charColumns.set(result.rows, columns);
    return result;
  };
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
}

async function connectAdapter(config: PgConnectionConfig, onDisposed: () => Promise<void> = async () => {}): Promise<SqlDriverAdapter> {
  // The engine serialises migrations with a session-level pg_advisory_lock and never unlocks (the session
  // ending does). No idle timeout, so the pool cannot close that session mid-run; close() ends it.
  const adapter = await new PrismaPg({ ...config, max: 4, idleTimeoutMillis: 0 }).connect();
  readCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const tx = await startTransaction(isolationLevel);
    readCharColumns(tx);
    return tx;
  };
  // Pitfall (c): adapter-pg splits scripts on ';', which breaks functions and quoted text. One simple
  // query runs the whole script, atomically (PostgreSQL wraps a multi-statement query in one transaction).
  const internals = adapter as unknown as PgQueryableInternals;
  // Errors keep PostgreSQL's own wording: given a known SQLSTATE the engine substitutes its own summary
  // (42P01 becomes a bare "No such table"), so the code goes into the message instead. The engine only
  // records or reports a failed script; it does not branch on the code.
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      if (error instanceof pg.DatabaseError) {
        const { code, severity = 'ERROR', message, detail, column, hint, position } = error;
        const where = [code && `SQLSTATE ${code}`, position && `at character ${position} of the script`].filter(Boolean).join(', ');
        throw new DriverAdapterError({ kind: 'postgres', code: 'N/A', severity, message: `${message} (${where})`, detail, column, hint });
      }
      internals.onError(error);
    }
  };

  // Idempotent, so the factory can sweep up whatever the engine did not dispose itself.
  const dispose = adapter.dispose.bind(adapter);
  let disposed: Promise<void> | undefined;
  adapter.dispose = () => (disposed ??= endPool(adapter.underlyingDriver(), dispose).finally(onDisposed));
  return adapter;
}

/**
 * pg's Pool.end() resolves once its clients are told to end, before their sockets close; wait for the
 * sockets too (bounded), so callers (tests checking for leaked handles) see a quiet process afterwards.
 */
async function endPool(pool: pg.Pool, end: () => Promise<void>): Promise<void> {
  let remaining = pool.totalCount;
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => {
    if (remaining === 0) return resolve();
    pool.on('remove', () => --remaining === 0 && resolve());
    timer = setTimeout(resolve, 2000).unref();
  });
  await end();
  await closed;
  clearTimeout(timer);
}

async function withAdminClient(config: PgConnectionConfig, sql: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Gives the schema engine connections to the target database and, for `createMigration`, to throwaway
 * shadow databases. `close()` ends every pool and drops every shadow database it created.
 */
export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly open = new Set<SqlDriverAdapter>();

  constructor(private readonly config: PgConnectionConfig) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await connectAdapter(this.config));
  }

  /**
   * Pitfall (a): adapter-pg's own version drops the shadow database while its pool is still connected
   * (which fails and leaks the database). Here the pool ends first, then an admin connection drops it.
   */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `gf_shadow_${randomBytes(6).toString('hex')}`;
    await withAdminClient(this.config, `CREATE DATABASE "${database}"`);
    const drop = () => withAdminClient(this.config, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    try {
      return this.track(await connectAdapter({ ...this.config, database }, drop));
    } catch (error) {
      await drop();
      throw error;
    }
  }

  private track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.open.add(adapter);
    return adapter;
  }

  /** Ends every pool (and drops shadow databases), including those the engine never disposed. */
  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.open].map((a) => a.dispose()));
    this.open.clear();
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((f) => f.reason as unknown), 'Closing migration connections failed');
  }
}
