import { createCardCatalog, type CardCatalog } from '../../activities/cards/catalog';
import { createScryfallClient } from '../../lib/scryfall/client';
import type { PrismaClient } from '../../prisma/client';
import { startFakeScryfall, type FakeScryfall } from '../fakes/scryfall';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** A test database, the fake Scryfall and a catalog over the production client. */
export interface CardsEnv {
  db: TestDatabase;
  prisma: PrismaClient;
  scryfall: FakeScryfall;
  catalog: CardCatalog;
  /** Guilds with members (ids as given); `left` members have left_at set. */
  seedGuild(guildId: string, members: string[], left?: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startCardsEnv(): Promise<CardsEnv> {
  const [db, scryfall] = await Promise.all([createTestDatabase(), startFakeScryfall()]);
  const catalog = createCardCatalog({ prisma: db.prisma, scryfall: createScryfallClient({ baseUrl: scryfall.url }) });
  return {
    db,
    prisma: db.prisma,
    scryfall,
    catalog,
    async seedGuild(guildId, members, left = []) {
      await db.prisma.guild.create({ data: { id: guildId, name: `Guild ${guildId}`, ownerId: members[0] ?? '1000000000000000001' } });
      await db.prisma.member.createMany({
        data: [...members.map((userId) => ({ guildId, userId })), ...left.map((userId) => ({ guildId, userId, leftAt: new Date() }))],
      });
    },
    async close() {
      await scryfall.close();
      await db.drop();
    },
  };
}
