/**
 * Card trades' cash escrow (Stripe Connect, separate charges and transfers): the service the activities,
 * the webhook and the API use, its refusals, and the activities the card trade flow calls.
 */
export * from './errors';
export * from './service';
export * from './pay-page';
export { createCardEscrowActivities } from './activities';
