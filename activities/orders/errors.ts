import { RefusalError } from '../../lib/errors';
import { ORDER_FAILURES } from '../../lib/flows/orders';

/**
 * The code shop's business refusals: a stable `code`, an HTTP status and the ApplicationFailure
 * `failureType` (from ORDER_FAILURES) the activities raise, non-retryable.
 */
class OrderError extends RefusalError {}

/** Not enough codes for the order: nothing was reserved. */
export class OutOfStockError extends OrderError {
  constructor(
    readonly wanted: number,
    readonly available: number,
  ) {
    super('out_of_stock', ORDER_FAILURES.outOfStock, `Out of stock: ${wanted} code${wanted === 1 ? '' : 's'} wanted, ${available} available.`, 409, { wanted, available });
  }
}

export const codeShopDisabled = () =>
  new OrderError('code_shop_disabled', ORDER_FAILURES.codeShopDisabled, 'The code shop is not set up (CODE_ENCRYPTION_KEY is not set).', 503);
