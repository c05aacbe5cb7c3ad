import type { Command, ComponentHandler } from '../command';
import { announceCommands, announceComponents } from './announce';
import { apiTokenCommand } from './api-token';
import { economyCommands, economyComponents } from './economy';
import { embedCommands, embedComponents } from './embeds';
import { createHelpCommand, type Feature } from './help';
import { orderCommands, orderComponents } from './orders';
import { paymentCommands, paymentComponents } from './payments';
import { setupCommand } from './setup';
import { shopCommands, shopComponents } from './shop';
import { taskCommands, taskComponents } from './tasks';
import { tradeCommands, tradeComponents } from './trades';
import { verifyCommands, verifyComponents } from './verify';

/**
 * The one registry: the deploy step, the interaction router and `/help` all read it, so a command exists
 * in one place. Features add their commands (under the heading `/help` shows them by) and component
 * handlers here.
 */
export const features: readonly Feature[] = [
  { name: 'Server setup', commands: [apiTokenCommand, setupCommand] },
  { name: 'Economy', commands: economyCommands },
  { name: 'Shop', commands: shopCommands },
  { name: 'Payments', commands: paymentCommands },
  { name: 'Code orders', commands: orderCommands },
  { name: 'Roblox verification', commands: verifyCommands },
  { name: 'Tasks', commands: taskCommands },
  { name: 'Announcements', commands: [...announceCommands, ...embedCommands] },
  { name: 'Roblox trades', commands: tradeCommands },
  // Read when /help runs, not now: the list includes /help itself.
  { name: 'Help', commands: [createHelpCommand(() => features)] },
];
export const commands: readonly Command[] = features.flatMap((f) => f.commands);
export const components: readonly ComponentHandler[] = [...economyComponents, ...shopComponents, ...paymentComponents, ...orderComponents, ...verifyComponents, ...taskComponents, ...announceComponents, ...tradeComponents, ...embedComponents];
