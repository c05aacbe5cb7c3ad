import type { Client } from '@temporalio/client';
import type { Logger } from '../../lib/logger';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import type { SyncSettings } from '../../lib/flows/sync';
import { signalSync } from '../../lib/flows/sync.client';

export interface ShopSyncDeps {
  prisma: PrismaClient;
  /** Absent (an API without Temporal): no post is kept. */
  temporal?: Client;
  taskQueue?: string;
  log: Logger;
  syncSettings?: SyncSettings;
}

/**
 * The shop's one call into the message sync: after an item was added, edited or removed (the change has
 * committed), its post in the guild's shop channel follows through `sync:shop_item:{id}`. Nothing happens
 * when the guild has no shop channel (sync_channels 'shop_item') and the item was never posted. The
 * change itself never depends on it: a failure to reach Temporal is logged, and the next change (or the
 * sync API's PUT /sync/channels/shop_item) catches the post up.
 */
export async function syncShopItemPost(deps: ShopSyncDeps, item: Pick<ShopItem, 'id' | 'guildId'>, change: 'saved' | 'removed'): Promise<void> {
  if (!deps.temporal || !deps.taskQueue) return;
  const entityId = String(item.id);
  try {
    const [channel, posted] = await Promise.all([
      deps.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId: item.guildId, entityType: 'shop_item' } }, select: { channelId: true } }),
      deps.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'shop_item', entityId } }, select: { state: true } }),
    ]);
    if (!channel && (!posted || posted.state === 'deleted')) return;
    await signalSync({ temporal: deps.temporal, taskQueue: deps.taskQueue }, { entityType: 'shop_item', entityId, guildId: item.guildId }, { deleted: change === 'removed', settings: deps.syncSettings });
  } catch (err) {
    deps.log.warn({ err, itemId: item.id }, 'shop item post not updated (message sync unreachable)');
  }
}
