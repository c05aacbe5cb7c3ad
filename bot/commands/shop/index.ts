import type { Command, ComponentHandler } from '../../command';
import { shopAdminCommand } from './admin';
import { buyCancelButton, buyCommand, buyConfirmButton, buyFromPostButton } from './buy';
import { inventoryCommand } from './inventory';
import { shopCommand, shopPageButtons } from './shop';
import { sellCommand, useCommand } from './use-sell';

/** The shop's commands and buttons, for the one registry in bot/commands/index.ts. */
export const shopCommands: readonly Command[] = [shopCommand, buyCommand, inventoryCommand, shopAdminCommand, useCommand, sellCommand];
export const shopComponents: readonly ComponentHandler[] = [shopPageButtons, buyConfirmButton, buyCancelButton, buyFromPostButton];
