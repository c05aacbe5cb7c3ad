import type { Command, ComponentHandler } from '../../command';
import { ordersCommand, ordersPageButtons } from './admin';
import { botstatsCommand } from './botstats';
import { myOrdersComponents, myordersCommand } from './mine';
import { orderCancelButton, orderCommand, orderConfirmButton, orderTopupButton } from './order';
import { panelComponents } from './panel';
import { stockCommand } from './stock';

/** The code shop's commands and components, for the one registry in bot/commands/index.ts. */
export const orderCommands: readonly Command[] = [orderCommand, stockCommand, ordersCommand, botstatsCommand, myordersCommand];
export const orderComponents: readonly ComponentHandler[] = [orderConfirmButton, orderCancelButton, orderTopupButton, ordersPageButtons, ...myOrdersComponents, ...panelComponents];
