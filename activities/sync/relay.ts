import type { Client } from '@temporalio/client';
import type { EventHub, LiveEvent } from '../../lib/events/hub';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import type { SyncSettings } from '../../workflows/sync';
import { signalSync } from './client';

/**
 * Ledger changes → leaderboard panels. The API's event hub sees every balance event (lib/events/hub.ts);
 * this relay signals `sync:leaderboard:{guild}:{asset}` for guilds that have a panel of that asset, at
 * most once per `minIntervalMs` per panel (the flow coalesces further), so a busy ledger costs a few
 * signals a second, not one per transfer. With several API processes each relays: duplicates are
 * coalesced by the flow. Panels are looked up at most every `cacheMs`.
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

  const fire = (guildId: string, entityId: string) => {
    pending.delete(entityId);
    lastSignal.set(entityId, Date.now());
    signalSync(deps.temporal, deps.taskQueue, { entityType: 'leaderboard', entityId, guildId }, { settings: deps.settings }).catch((err: unknown) =>
      deps.log.warn({ err, entityId }, 'leaderboard panel not signalled'),
    );
  };

  async function onEvents(events: LiveEvent[]): Promise<void> {
    const guilds = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.kind !== 'balance') continue;
      const assets = new Set(((e.data as { moves?: { asset: string; ownerType: string }[] }).moves ?? []).filter((m) => m.ownerType === 'user').map((m) => m.asset));
      if (assets.size) guilds.set(e.guildId, new Set([...(guilds.get(e.guildId) ?? []), ...assets]));
    }
    for (const [guildId, assets] of guilds) {
      const asset = await panelAsset(guildId);
      if (!asset || !assets.has(asset)) continue;
      const entityId = `${guildId}:${asset}`;
      if (pending.has(entityId)) continue;
      const wait = Math.max(0, (lastSignal.get(entityId) ?? 0) + minIntervalMs - Date.now());
      pending.set(entityId, setTimeout(() => fire(guildId, entityId), wait));
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
