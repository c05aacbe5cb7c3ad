import type { Command, ComponentHandler } from '../../command';
import { tradesCommand } from './admin';
import { historyCommand } from './history';
import { petsPage } from './inventory';
import { tipCommand } from './tip';
import { withdrawCancel, withdrawCommand, withdrawPick } from './withdraw';

/**
 * Roblox trades in Discord: /withdraw (select menu → the withdraw workflow, Cancel button), /tip,
 * /history, and the admins' /trades (view, release, adjust, pet value, register a game). The pets and
 * gems part of /inventory is `tradeInventoryEmbed`, added to the shop's /inventory.
 */
export { petPageButtons, tradeInventoryEmbed } from './inventory';

export const tradeCommands: readonly Command[] = [withdrawCommand, tipCommand, historyCommand, tradesCommand];
export const tradeComponents: readonly ComponentHandler[] = [withdrawPick, withdrawCancel, petsPage];
