import type { FeatureSwitch } from '../../lib/features';
import type { Command, ComponentHandler } from '../command';
import { announceCommands, announceComponents } from './announce';
import { apiTokenCommand } from './api-token';
import { cardsCommands, cardsComponents } from './cards';
import { economyCommands, economyComponents } from './economy';
import { embedCommands, embedComponents } from './embeds';
import { grantCommand } from './grant';
import { createHelpCommand, type Feature } from './help';
import { orderCommands, orderComponents } from './orders';
import { padCommands, padComponents } from './pads';
import { paymentCommands, paymentComponents } from './payments';
import { setupCommand, setupComponents } from './setup';
import { shopCommands, shopComponents } from './shop';
import { taskCommands, taskComponents } from './tasks';
import { ticketCommands, ticketComponents } from './tickets';
import { tradeCommands, tradeComponents } from './trades';
import { verifyCommands, verifyComponents } from './verify';

/**
 * The one registry: the deploy step, the interaction router and `/help` all read it, so a command exists
 * in one place. Features add their commands (under the heading `/help` shows them by) and component
 * handlers here.
 */
export const features: readonly Feature[] = [
  { name: 'Server setup', commands: [apiTokenCommand, setupCommand], components: setupComponents },
  { name: 'Grants', commands: [grantCommand] },
  { name: 'Economy', commands: economyCommands, components: economyComponents, switch: 'economy' },
  { name: 'Shop', commands: shopCommands, components: shopComponents, switch: 'shop' },
  { name: 'Payments', commands: paymentCommands, components: paymentComponents, switch: 'codeShop' },
  { name: 'Code orders', commands: orderCommands, components: orderComponents, switch: 'codeShop' },
  { name: 'Roblox verification', commands: verifyCommands, components: verifyComponents, switch: 'verification' },
  { name: 'Tasks', commands: taskCommands, components: taskComponents, switch: 'tasks' },
  { name: 'Announcements', commands: [...announceCommands, ...embedCommands], components: [...announceComponents, ...embedComponents], switch: 'announcements' },
  { name: 'Roblox trades', commands: tradeCommands, components: tradeComponents, switch: 'trades' },
  { name: 'Training and tryout sessions', commands: padCommands, components: padComponents },
  { name: 'Support tickets', commands: ticketCommands, components: ticketComponents },
  { name: 'Card trading', commands: cardsCommands, components: cardsComponents, switch: 'cards' },
  // Read when /help runs, not now: the list includes /help itself.
  { name: 'Help', commands: [createHelpCommand(() => features)] },
];
export const commands: readonly Command[] = features.flatMap((f) => f.commands);
export const components: readonly ComponentHandler[] = features.flatMap((f) => f.components ?? []);
/** Each command's and component's feature switch, for the router's one check. */
export const featureSwitches: ReadonlyMap<Command | ComponentHandler, FeatureSwitch> = new Map(
  features.flatMap((f) => (f.switch ? [...f.commands, ...(f.components ?? [])].map((h) => [h, f.switch!] as const) : [])),
);
