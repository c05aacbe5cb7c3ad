import type { Command, ComponentHandler } from '../command';
import { announceCommands, announceComponents } from './announce';
import { apiTokenCommand } from './api-token';
import { economyCommands, economyComponents } from './economy';
import { orderCommands, orderComponents } from './orders';
import { paymentCommands, paymentComponents } from './payments';
import { setupCommand } from './setup';
import { shopCommands, shopComponents } from './shop';
import { taskCommands, taskComponents } from './tasks';
import { tradeCommands, tradeComponents } from './trades';
import { verifyCommands, verifyComponents } from './verify';

/**
 * The one registry: the deploy step and the interaction router both read it, so a command exists in
 * one place. Features add their commands and component handlers here.
 */
export const commands: readonly Command[] = [apiTokenCommand, setupCommand, ...economyCommands, ...shopCommands, ...paymentCommands, ...orderCommands, ...verifyCommands, ...taskCommands, ...announceCommands, ...tradeCommands];
export const components: readonly ComponentHandler[] = [...economyComponents, ...shopComponents, ...paymentComponents, ...orderComponents, ...verifyComponents, ...taskComponents, ...announceComponents, ...tradeComponents];
