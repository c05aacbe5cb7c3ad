import { RefusalError } from '../../lib/errors';

/**
 * The shop's business refusals. Each has a stable `code` (API bodies, bot replies), an HTTP status and a
 * `failureType`, the ApplicationFailure type the activities raise (non-retryable: a retry cannot fix
 * them). Messages are written for the member or admin who reads them.
 */
export class ShopError extends RefusalError {}

export const SHOP_FAILURE_TYPES = {
  itemNotFound: 'ItemNotFound',
  itemUnavailable: 'ItemUnavailable',
  priceChanged: 'PriceChanged',
  requiredRole: 'RequiredRoleMissing',
  perUserLimit: 'PerUserLimit',
  outOfStock: 'OutOfStock',
  insufficientItems: 'InsufficientItems',
  idempotencyConflict: 'IdempotencyConflict',
  purchaseState: 'PurchaseState',
  nameTaken: 'ItemNameTaken',
} as const;

export const NON_RETRYABLE_SHOP_FAILURES: string[] = Object.values(SHOP_FAILURE_TYPES);

export const itemNotFound = (ref: string | number) =>
  new ShopError('item_not_found', SHOP_FAILURE_TYPES.itemNotFound, `There is no item ${JSON.stringify(String(ref))} in this server's shop.`, 404);
export const itemUnavailable = (name: string) =>
  new ShopError('item_unavailable', SHOP_FAILURE_TYPES.itemUnavailable, `${name} is not on sale right now.`);
export const priceChanged = (name: string) =>
  new ShopError('price_changed', SHOP_FAILURE_TYPES.priceChanged, `The price of ${name} changed since you asked: run /buy again to see the new price.`);
export const requiredRoleMissing = (name: string, roleId: string) =>
  new ShopError('required_role_missing', SHOP_FAILURE_TYPES.requiredRole, `Only members with the role <@&${roleId}> can buy ${name}.`, 403);
export const perUserLimit = (name: string, limit: number, owned: number, pending: number) =>
  new ShopError(
    'per_user_limit',
    SHOP_FAILURE_TYPES.perUserLimit,
    `You can own at most ${limit} × ${name}; you have ${owned}${pending ? ` and ${pending} more on the way` : ''}.`,
    409,
    { limit, owned, pending },
  );
export const outOfStock = (name: string, left: number) =>
  new ShopError('out_of_stock', SHOP_FAILURE_TYPES.outOfStock, left > 0 ? `Only ${left} × ${name} left in stock.` : `${name} is out of stock.`, 409, { left });
export const insufficientItems = (itemId: number, have: number, needed: number) =>
  new ShopError('insufficient_items', SHOP_FAILURE_TYPES.insufficientItems, `The inventory holds ${have} of item ${itemId}; ${needed} would be removed.`, 409, { have, needed });
export const inventoryKeyConflict = (key: string) =>
  new ShopError('idempotency_conflict', SHOP_FAILURE_TYPES.idempotencyConflict, `Inventory key ${key} was already used for a different movement.`);
export const purchaseState = (id: string, status: string, wanted: string) =>
  new ShopError('purchase_state', SHOP_FAILURE_TYPES.purchaseState, `Purchase ${id} is ${status}; it cannot be ${wanted}.`);
export const nameTaken = (name: string) =>
  new ShopError('item_name_taken', SHOP_FAILURE_TYPES.nameTaken, `The shop already has an item called ${JSON.stringify(name)}.`);
