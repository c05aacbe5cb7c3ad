export * from './errors';
export * from './pets';
export * from './games';
export * from './service';
export { createTradeActivities } from './activities';
export { depositReceipt, withdrawalMessage, petLines } from './messages';
