export { createSyncActivities, type SyncActivities, type SyncApplyResult, type SyncMode, type SyncOutcome, type SyncRef } from './activities';
export { announcementRenderer, createRendererRegistry, DEFAULT_RENDERERS, leaderboardRenderer, shopItemRenderer, syncFlowId, type EntityRenderer, type RenderedEntity } from './registry';
export { DEFAULT_SYNC_SETTINGS } from './settings';
export { signalSync, type SyncTarget } from './client';
export { syncShopItemPost, type ShopSyncDeps } from './shop-hook';
export { startLeaderboardRelay } from './relay';
