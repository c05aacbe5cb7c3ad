/**
 * The shop and inventories: items (admin add/edit/remove), inventories moved only by idempotent
 * movements, purchases run by the purchase flow (lib/flows/shop.ts), and their activities.
 */
export * from './errors';
export * from './items';
export * from './inventory';
export * from './purchases';
export * from './messages';
export * from './use-sell';
