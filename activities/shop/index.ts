/**
 * The shop and inventories (issue 5): items (admin add/edit/remove), inventories moved only by
 * idempotent movements, purchases run by the `purchase:{id}` workflow, and their activities.
 */
export * from './errors';
export * from './items';
export * from './inventory';
export * from './purchases';
export * from './messages';
export { createShopActivities, type ShopActivities, type PurchaseView, type CreatePurchaseActivityInput, type CreatePurchaseActivityResult, type FailureInfo } from './activities';
