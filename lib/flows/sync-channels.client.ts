import { NotFoundError } from '../errors';
import type { PrismaClient } from '../../prisma/client';
import type { FlowTarget } from './client';
import type { SyncSettings } from './sync';
import { signalSync } from './sync.client';

/** The synced posts whose channel a guild chooses. */
export const SYNC_CHANNEL_TYPES = ['leaderboard', 'shop_item'] as const;
export type SyncChannelType = (typeof SYNC_CHANNEL_TYPES)[number];

export interface SyncChannelDeps {
  prisma: PrismaClient;
  target: FlowTarget;
  settings?: SyncSettings;
}

interface Actor {
  actorType: 'user' | 'api_token' | 'system';
  actorId: string;
}

/** Wakes every flow of the type (they re-render and move, post or delete as the new setting says). */
async function resync({ prisma, target, settings }: SyncChannelDeps, guildId: string, entityType: SyncChannelType, asset: string, removed: boolean): Promise<number> {
  if (entityType === 'leaderboard') {
    await signalSync(target, { entityType, entityId: `${guildId}:${asset}`, guildId }, { settings, deleted: removed });
    return 1;
  }
  const items = await prisma.shopItem.findMany({ where: { guildId, deletedAt: null }, select: { id: true } });
  for (const it of items) await signalSync(target, { entityType, entityId: String(it.id), guildId }, { settings });
  return items.length;
}

/**
 * Sets where a guild's leaderboard panel or shop item posts go (audited), then wakes their sync flows so
 * they (re)post there. The API and the setup wizard both set channels here, so the flows react the same.
 * The channel must already be checked to be the guild's.
 */
export async function setSyncChannel(
  deps: SyncChannelDeps,
  guildId: string,
  entityType: SyncChannelType,
  input: { channelId: string; asset?: string; size?: number },
  actor: Actor,
) {
  const options = entityType === 'leaderboard' ? { asset: input.asset ?? 'currency', size: input.size ?? 10 } : {};
  const [row] = await deps.prisma.$transaction([
    deps.prisma.syncChannel.upsert({
      where: { guildId_entityType: { guildId, entityType } },
      create: { guildId, entityType, channelId: input.channelId, options },
      update: { channelId: input.channelId, options, updatedAt: new Date() },
    }),
    deps.prisma.auditEvent.create({ data: { guildId, ...actor, action: 'sync_channel.updated', targetType: 'sync_channel', targetId: entityType, data: { channelId: input.channelId, ...options } } }),
  ]);
  const flowsWoken = await resync(deps, guildId, entityType, options.asset ?? 'currency', false);
  return { ...row, flowsWoken };
}

/** Removes the channel (audited; NotFoundError when none is set): the leaderboard panel is deleted. */
export async function removeSyncChannel(deps: SyncChannelDeps, guildId: string, entityType: SyncChannelType, actor: Actor): Promise<void> {
  const row = await deps.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId, entityType } } });
  if (!row) throw new NotFoundError(`No channel is set for ${entityType} messages.`);
  await deps.prisma.$transaction([
    deps.prisma.syncChannel.delete({ where: { guildId_entityType: { guildId, entityType } } }),
    deps.prisma.auditEvent.create({ data: { guildId, ...actor, action: 'sync_channel.removed', targetType: 'sync_channel', targetId: entityType, data: { channelId: row.channelId } } }),
  ]);
  await resync(deps, guildId, entityType, (row.options as { asset?: string }).asset ?? 'currency', true);
}
