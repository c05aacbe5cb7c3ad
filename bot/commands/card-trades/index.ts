/**
 * Card trades in the bot: the trade subcommands of `/cards` (`addTradeSubcommands`, `tradeSubcommandHandlers`,
 * hooked into the catalog's `/cards` in ../cards) and the buttons and forms on a trade's DMs.
 */
export { addTradeSubcommands } from './definitions';
export { tradeSubcommandHandlers } from './commands';
export { cardTradeComponents } from './components';
