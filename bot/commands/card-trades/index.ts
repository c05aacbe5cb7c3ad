import type { Command } from '../../command';
import { cardsCommand } from './cards-command';

/**
 * Card trades in the bot, for the one registry in bot/commands/index.ts: a minimal `/cards` with the trade
 * subcommands, and the buttons and forms on a trade's DMs. The catalog feature's `/cards` takes the trade
 * subcommands from `addTradeSubcommands` (./definitions.ts) and `tradeSubcommandHandlers` (./commands.ts).
 */
export const cardTradeCommands: readonly Command[] = [cardsCommand];
export { cardTradeComponents } from './components';
