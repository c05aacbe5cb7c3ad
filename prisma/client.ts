import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Logger } from '../lib/logger';
import { PrismaClient } from './generated/client';

// The rest of the app imports Prisma from here, not from ./generated (which `npm run db:generate` writes).
export * from './generated/client'; // PrismaClient, the Prisma namespace, model types (Guild, …) and enums

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * A client over the ordinary `pg` driver: Prisma 7 needs no engine binary at runtime. One per process;
 * `poolSize` caps its connections.
 *
 * The client runs on one `pg.Pool` that the few hot paths written in SQL share (the ledger calls its
 * PL/pgSQL functions on it: one round trip, no Prisma query interpreter, the database's error DETAIL at
 * hand; see activities/ledger). `sqlPool(prisma)` returns it; `$disconnect()` ends it, whether or not
 * Prisma itself ever connected.
 */
export function createPrismaClient(databaseUrl: string, opts: { poolSize?: number; log?: Logger } = {}): PrismaClient {
  const pool = createSqlPool({ connectionString: databaseUrl, max: opts.poolSize ?? 10 }, opts.log);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const disconnect = prisma.$disconnect.bind(prisma);
  Object.defineProperty(prisma, '$disconnect', {
    value: async (): Promise<void> => {
      await disconnect();
      if (!pool.ended) await pool.end();
    },
  });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * The `pg.Pool` under a client made by `createPrismaClient` (undefined for any other client), for SQL
 * that must be one round trip without Prisma's per-query overhead. Do not end it: `$disconnect` does.
 */
export function sqlPool(prisma: PrismaClient): pg.Pool | undefined {
  return pools.get(prisma);
}

/** True when the server refused a statement but the connection stays usable (severity ERROR, not FATAL). */
export function isStatementError(err: unknown): boolean {
  return err instanceof pg.DatabaseError && err.severity === 'ERROR' && !/^(08|57|XX)/.test(err.code ?? '');
}

/**
 * A pool whose broken connections never take the process down. A connection the server ends (restart,
 * `pg_terminate_backend`, network reset) emits 'error' on its client, idle or checked out; with no
 * listener Node would exit. Here the statement in flight fails (a retryable error for the activity or
 * request), the pool drops the connection (pg-pool discards a client that is no longer queryable) and the
 * next query opens a new one.
 */
export function createSqlPool(config: pg.PoolConfig, log?: Logger): pg.Pool {
  const pool = new KeepingPool(config);
  // pg-pool re-emits an idle client's error on the pool: the client listener below already reported it.
  pool.on('error', () => {});
  pool.on('connect', (client) =>
    client.on('error', (err: Error & { code?: string }) => log?.warn({ code: err.code, reason: err.message }, 'database connection lost; the pool replaces it')),
  );
  return pool;
}

/**
 * `pg.Pool#query` destroys the connection after any error. Errors are ordinary answers here — a unique
 * violation that makes a webhook idempotent, the ledger's "insufficient funds" — and each destroyed
 * connection costs a reconnect plus re-planning of every prepared statement and PL/pgSQL function on the
 * new backend: ~50 ms instead of ~1 ms per refused statement, measured. This pool keeps a connection the
 * server merely refused a statement on, and still drops broken ones. (Prisma's adapter queries through
 * `query`, outside its transactions.)
 */
class KeepingPool extends pg.Pool {
  // One implementation for all of pg.Pool#query's overloads (promise and callback forms).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const callback: unknown = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    const result = (async () => {
      const client = await this.connect();
      try {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const res: unknown = await (client.query as (...a: any[]) => Promise<unknown>)(...args);
        client.release();
        return res;
      } catch (err) {
        client.release(isStatementError(err) ? undefined : (err as Error));
        throw err;
      }
    })();
    if (typeof callback !== 'function') return result;
    result.then(
      (res) => (callback as (e: unknown, r?: unknown) => void)(undefined, res),
      (err: unknown) => (callback as (e: unknown) => void)(err),
    );
    return undefined;
  }
}
