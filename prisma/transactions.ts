import type pg from 'pg';
import { sqlPool, type PrismaClient } from './client';

/**
 * The raw side of the data layer: the pg pool under the Prisma client, for the few hot paths written in
 * SQL (the ledger's PL/pgSQL functions, stock claims), and transactions on one of its connections.
 */

/** A `pg.Pool` (or the pool under the client from ./client.ts). */
export interface SqlPool {
  query<R extends pg.QueryResultRow>(textOrConfig: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  connect(): Promise<pg.PoolClient>;
}

/** What a statement runs on: a pool, or one connection inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** The pool under a client made by createPrismaClient, or the pool itself. */
export function poolOf(db: PrismaClient | SqlPool): SqlPool {
  if ('$disconnect' in db) {
    const pool = sqlPool(db);
    if (!pool) throw new Error('Raw SQL needs the PrismaClient from createPrismaClient (prisma/client.ts), which shares its pg pool, or a pg.Pool.');
    return pool;
  }
  return db;
}

/**
 * Runs `fn` in one database transaction on one connection of the pool: COMMIT when it returns, ROLLBACK
 * when it throws (the error is rethrown). A connection whose ROLLBACK fails is broken and is dropped, not
 * returned to the pool.
 */
export async function inTransaction<T>(db: PrismaClient | SqlPool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
