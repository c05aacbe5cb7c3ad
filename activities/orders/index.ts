/** Code orders (issue 7): the `order:{id}` workflow's activities and the orders table. */
export * from './orders';
export * from './messages';
export { createOrderActivities, type OrderActivities, type OrderView } from './activities';
