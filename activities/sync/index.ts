export { createSyncActivities, type SyncActivities, type SyncRef } from './activities';
export { SyncError } from './errors';
export { announcementRenderer, createRendererRegistry, DEFAULT_RENDERERS, leaderboardRenderer, shopItemRenderer, type EntityRenderer, type RenderedEntity } from './registry';
export { syncShopItemPost, type ShopSyncDeps } from './shop-hook';
export { startLeaderboardRelay } from './relay';
