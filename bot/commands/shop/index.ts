import type { Command, ComponentHandler } from '../../command';
import { shopAdminCommand } from './admin';
import { buyCancelButton, buyCommand, buyConfirmButton } from './buy';
import { inventoryCommand } from './inventory';
import { shopCommand, shopPageButtons } from './shop';

/** The shop's commands and buttons, for the one registry in bot/commands/index.ts. */
export const shopCommands: readonly Command[] = [shopCommand, buyCommand, inventoryCommand, shopAdminCommand];
export const shopComponents: readonly ComponentHandler[] = [shopPageButtons, buyConfirmButton, buyCancelButton];
