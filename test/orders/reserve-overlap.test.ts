import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensurePackages } from '../../activities/codes/packages';
import { importCodes, reserveCodes } from '../../activities/codes/stock';
import { createCodeKeyring } from '../../lib/crypto';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { waitFor } from '../../lib/wait';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

describe('reserving codes when two attempts of one order overlap', () => {
  let db: TestDatabase;
  let blocker: pg.Client;
  let observer: pg.Client;
  /** Two workers: the stalled attempt's and the retry's. */
  let workers: PrismaClient[];
  beforeAll(async () => {
    db = await createTestDatabase();
    workers = [createPrismaClient(db.url, { poolSize: 1 }), createPrismaClient(db.url, { poolSize: 1 })];
    blocker = new pg.Client({ connectionString: db.url });
    observer = new pg.Client({ connectionString: db.url });
    await Promise.all([blocker.connect(), observer.connect()]);
  });
  afterAll(async () => {
    await blocker?.end();
    await observer?.end();
    for (const w of workers ?? []) await w.$disconnect();
    await db?.drop();
  });

  it('a stalled attempt and its retry reserve one set of codes between them', async () => {
    const guildId = await createGuild(db.prisma);
    const keyring = createCodeKeyring({ id: 'k1', key: randomBytes(32) });
    await importCodes(db.prisma, keyring, guildId, Array.from({ length: 10 }, (_, i) => `OVERLAP-${String(i).padStart(4, '0')}`).join('\n'));
    const [pkg] = await ensurePackages(db.prisma, guildId);
    const orderId = 'ord-overlap-1';
    await db.prisma.codeOrder.create({ data: { id: orderId, guildId, userId: '300000000000000001', packageId: pkg!.id, quantity: 5, price: 0n, assetCode: 'currency', requestKey: orderId } });

    // Hold both attempts just before they pick codes (row locks on `codes` wait for this table lock; plain
    // reads do not), so each has already looked for the codes the order holds: the overlap a stall makes.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE codes IN EXCLUSIVE MODE');
    const attempts = workers.map((w) => reserveCodes(w, guildId, orderId, 5));
    await waitFor(
      async () => {
        // Asked outside the blocker's transaction: pg_stat_activity is a snapshot per transaction.
        const { rows } = await observer.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return rows[0]!.n === 2;
      },
      { timeoutMs: 20_000, what: 'both attempts waiting on a lock' },
    );
    await blocker.query('COMMIT');
    const [first, second] = (await Promise.all(attempts)) as [{ codeIds: string[] }, { codeIds: string[] }];

    expect(first.codeIds).toHaveLength(5);
    expect(second.codeIds).toEqual(first.codeIds);
    expect(await db.prisma.code.count({ where: { orderId } })).toBe(5);
    expect(await db.prisma.code.count({ where: { guildId, status: 'available' } })).toBe(5);
  });
});
