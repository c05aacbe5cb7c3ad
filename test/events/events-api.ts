import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { EventHub } from '../../lib/events/hub';
import type { Logger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/** A fresh database with one guild and its admin token, and the API serving that guild's events stream. */
export interface EventsApi {
  db: TestDatabase;
  guildId: string;
  /** An admin token of the guild. */
  admin: string;
  /** The guild's `…/events` URL. */
  url: string;
  close(): Promise<void>;
}

export async function startEventsApi(log: Logger): Promise<EventsApi> {
  const db = await createTestDatabase();
  const guildId = await createGuild(db.prisma);
  const admin = (await createApiToken(db.prisma, { guildId, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const hub = new EventHub({ databaseUrl: db.url, log, pollMs: 100 });
  await hub.start();
  const app = createApp({ prisma: db.prisma, log, readiness: [], events: hub, eventHeartbeatMs: 5_000 });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    db,
    guildId,
    admin,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${guildId}/events`,
    async close() {
      await hub.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.drop();
    },
  };
}
