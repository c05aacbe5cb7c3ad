import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

// The rest of the app imports Prisma from here, not from ./generated (which `npm run db:generate` writes).
export * from './generated/client'; // PrismaClient, the Prisma namespace, model types (Guild, …) and enums

/**
 * A client over the ordinary `pg` driver: Prisma 7 needs no engine binary at runtime. One per process;
 * `poolSize` caps its connections.
 */
export function createPrismaClient(databaseUrl: string, opts: { poolSize?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: opts.poolSize ?? 10 }) });
}
