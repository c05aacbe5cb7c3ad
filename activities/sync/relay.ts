import type { Client } from '@temporalio/client';
import type { EventHub, LiveEvent } from '../../lib/events/hub';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import type { SyncSettings } from '../../lib/flows/sync';
import { signalSync } from '../../lib/flows/sync.client';

/**
 * Data changes → the messages that show them, for changes made where no hook runs. The API's event hub
 * sees every event (lib/events/hub.ts); this relay signals
 *   - `sync:leaderboard:{guild}:{asset}` on balance events of guilds that have a panel of that asset;
 *   - `sync:shop_item:{id}` on shop item changes (a purchase taking stock) of items that have a post;
 * at most once per `minIntervalMs` per message (the flow coalesces further), so a busy ledger costs a few
 * signals a second, not one per transfer. With several API processes each relays: duplicates are
 * coalesced by the flow. Panels and posts are looked up at most every `cacheMs`.
 */
export function startLeaderboardRelay(deps: {
  hub: EventHub;
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  settings?: SyncSettings;
  minIntervalMs?: number;
  cacheMs?: number;
}): () => void {
  const minIntervalMs = deps.minIntervalMs ?? 1000;
  const cacheMs = deps.cacheMs ?? 10_000;
  const panels = new Map<string, { at: number; asset: string | null }>();
  const lastSignal = new Map<string, number>();
  const pending = new Map<string, NodeJS.Timeout>();

  async function panelAsset(guildId: string): Promise<string | null> {
    const cached = panels.get(guildId);
    if (cached && Date.now() - cached.at < cacheMs) return cached.asset;
    const row = await deps.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId, entityType: 'leaderboard' } } });
    const asset = row ? ((row.options as { asset?: string }).asset ?? 'currency') : null;
    panels.set(guildId, { at: Date.now(), asset });
    return asset;
  }

  const posted = new Map<string, { at: number; live: boolean }>();
  async function hasPost(itemId: string): Promise<boolean> {
    const cached = posted.get(itemId);
    if (cached && Date.now() - cached.at < cacheMs) return cached.live;
    const row = await deps.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'shop_item', entityId: itemId } }, select: { state: true } });
    const live = !!row && row.state !== 'deleted';
    posted.set(itemId, { at: Date.now(), live });
    return live;
  }

  const fire = (guildId: string, entityType: string, entityId: string) => {
    const key = `${entityType}:${entityId}`;
    pending.delete(key);
    lastSignal.set(key, Date.now());
    signalSync({ temporal: deps.temporal, taskQueue: deps.taskQueue }, { entityType, entityId, guildId }, { settings: deps.settings }).catch((err: unknown) =>
      deps.log.warn({ err, entityType, entityId }, 'synced message not signalled'),
    );
  };
  const schedule = (guildId: string, entityType: string, entityId: string) => {
    const key = `${entityType}:${entityId}`;
    if (pending.has(key)) return;
    const wait = Math.max(0, (lastSignal.get(key) ?? 0) + minIntervalMs - Date.now());
    pending.set(key, setTimeout(() => fire(guildId, entityType, entityId), wait));
  };

  async function onEvents(events: LiveEvent[]): Promise<void> {
    const guilds = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.kind === 'shop_item') {
        const item = e.data as { itemId: number; removed: boolean; op: string };
        if (item.op === 'update' && !item.removed && (await hasPost(String(item.itemId)))) schedule(e.guildId, 'shop_item', String(item.itemId));
        continue;
      }
      if (e.kind !== 'balance') continue;
      const assets = new Set(((e.data as { moves?: { asset: string; ownerType: string }[] }).moves ?? []).filter((m) => m.ownerType === 'user').map((m) => m.asset));
      if (assets.size) guilds.set(e.guildId, new Set([...(guilds.get(e.guildId) ?? []), ...assets]));
    }
    for (const [guildId, assets] of guilds) {
      const asset = await panelAsset(guildId);
      if (!asset || !assets.has(asset)) continue;
      schedule(guildId, 'leaderboard', `${guildId}:${asset}`);
    }
  }

  const unsubscribe = deps.hub.subscribe({
    guildId: '*',
    deliver: (events) => void onEvents(events).catch((err: unknown) => deps.log.warn({ err }, 'leaderboard relay failed')),
    close: () => undefined,
  });
  return () => {
    unsubscribe();
    for (const t of pending.values()) clearTimeout(t);
    pending.clear();
  };
}
