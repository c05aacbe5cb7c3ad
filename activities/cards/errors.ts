import { RefusalError } from '../../lib/errors';
import { CARDS_FAILURES } from '../../lib/flows/card-alerts';

/**
 * Card trading's refusals (lists, imports, the catalog being off). Each has a stable `code`, an HTTP
 * status and a failure type from CARDS_FAILURES. Messages are written for the member who reads them.
 */
class CardsError extends RefusalError {}

export const invalidList = (message: string) => new CardsError('invalid_input', CARDS_FAILURES.invalidList, message, 400);
/** A collection change that would take copies promised in live proposals or offered as haves. */
export const collectionInUse = (message: string) => new CardsError('collection_in_use', CARDS_FAILURES.invalidList, message, 409);
export const notOwned = (what: string) => new CardsError('not_found', CARDS_FAILURES.notOwned, `You have no ${what} with that id.`, 404);
export const catalogOff = () =>
  new CardsError('catalog_off', CARDS_FAILURES.catalogOff, 'The card catalog (Scryfall) is not configured in this process: set SCRYFALL_API_URL.', 503);
