/** Code orders: the `order:{id}` workflow's activities, the orders table and its errors. */
export * from './errors';
export * from './orders';
export * from './messages';
export type { OrderView } from './activities';
