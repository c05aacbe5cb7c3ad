import type pg from 'pg';
import type { PrismaClient } from '../../prisma/client';
import { ledgerPool } from '../ledger/ledger';

/** What the economy's SQL runs on: a pool, or one connection inside a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Runs `fn` in one database transaction on one connection of the client's pg pool (the one the ledger
 * uses): COMMIT when it returns, ROLLBACK when it throws (the error is rethrown). A connection whose
 * ROLLBACK fails is broken and is dropped, not returned to the pool.
 */
export async function inTransaction<T>(prisma: PrismaClient, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await ledgerPool(prisma).connect();
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
