import { RefusalError } from '../../lib/errors';
import { SHOP_FAILURES } from '../../lib/flows/shop';

/**
 * The shop's business refusals. Each has a stable `code` (API bodies, bot replies), an HTTP status and a
 * `failureType` from SHOP_FAILURES, the ApplicationFailure type the activities raise (non-retryable: a
 * retry cannot fix them). Messages are written for the member or admin who reads them.
 */
export class ShopError extends RefusalError {}

export const itemNotFound = (ref: string | number) =>
  new ShopError('item_not_found', SHOP_FAILURES.itemNotFound, `There is no item ${JSON.stringify(String(ref))} in this server's shop.`, 404);
export const itemUnavailable = (name: string) =>
  new ShopError('item_unavailable', SHOP_FAILURES.itemUnavailable, `${name} is not on sale right now.`);
export const priceChanged = (name: string) =>
  new ShopError('price_changed', SHOP_FAILURES.priceChanged, `The price of ${name} changed since you asked: run /buy again to see the new price.`);
export const requiredRoleMissing = (name: string, roleId: string) =>
  new ShopError('required_role_missing', SHOP_FAILURES.requiredRole, `Only members with the role <@&${roleId}> can buy ${name}.`, 403);
export const perUserLimit = (name: string, limit: number, owned: number, pending: number) =>
  new ShopError(
    'per_user_limit',
    SHOP_FAILURES.perUserLimit,
    `You can own at most ${limit} × ${name}; you have ${owned}${pending ? ` and ${pending} more on the way` : ''}.`,
    409,
    { limit, owned, pending },
  );
export const outOfStock = (name: string, left: number) =>
  new ShopError('out_of_stock', SHOP_FAILURES.outOfStock, left > 0 ? `Only ${left} × ${name} left in stock.` : `${name} is out of stock.`, 409, { left });
export const insufficientItems = (itemId: number, have: number, needed: number) =>
  new ShopError('insufficient_items', SHOP_FAILURES.insufficientItems, `The inventory holds ${have} of item ${itemId}; ${needed} would be removed.`, 409, { have, needed });
export const inventoryKeyConflict = (key: string) =>
  new ShopError('idempotency_conflict', SHOP_FAILURES.idempotencyConflict, `Inventory key ${key} was already used for a different movement.`);
export const purchaseState = (id: string, status: string, wanted: string) =>
  new ShopError('purchase_state', SHOP_FAILURES.purchaseState, `Purchase ${id} is ${status}; it cannot be ${wanted}.`);
export const nameTaken = (name: string) =>
  new ShopError('item_name_taken', SHOP_FAILURES.nameTaken, `The shop already has an item called ${JSON.stringify(name)}.`);
export const purchaseNotFound = (id: string) => new ShopError('purchase_not_found', SHOP_FAILURES.purchaseNotFound, `There is no purchase ${id}.`, 404);
/** A request key already used by another member or server: their purchase is not shown or changed. */
export const requestKeyTaken = () =>
  new ShopError('idempotency_conflict', SHOP_FAILURES.idempotencyConflict, 'This request belongs to another purchase: nothing was changed.', 409);
/** A confirm replayed for a purchase that already failed: the first reason stands. */
export const purchaseFailed = (reason: string | null) => new ShopError('purchase_failed', SHOP_FAILURES.purchaseFailed, reason ?? 'This purchase failed.');
/** /use and /sell: what the item's settings do not allow (never raised inside a workflow). */
export const itemNotUsable = (name: string) =>
  new ShopError('item_not_usable', SHOP_FAILURES.itemUnavailable, `${name} cannot be used: it is kept in your inventory.`);
export const itemNotSellable = (name: string) =>
  new ShopError('item_not_sellable', SHOP_FAILURES.itemUnavailable, `${name} cannot be sold back to the shop.`);
export const notOwnedEnough = (name: string, owned: number, wanted: number) =>
  new ShopError('insufficient_items', SHOP_FAILURES.insufficientItems, owned === 0 ? `You do not own any ${name}.` : `You own ${owned} × ${name}; you cannot ${wanted === 1 ? 'give up one more' : `give up ${wanted}`}.`, 409, { owned, wanted });
