/**
 * Card trades in the bot: the trade subcommands of `/cards` (`addTradeSubcommands`, `tradeSubcommandHandlers`,
 * hooked into the catalog's `/cards` in ../cards), the buttons and forms on a trade's DMs, and the propose
 * path and terms form that a match's Propose button (../cards/matches.ts) reuses.
 */
export { addTradeSubcommands } from './definitions';
export { proposeTo, tradeSubcommandHandlers } from './commands';
export { termsFormFields, typedTermsOf } from './form';
export { linesText } from './terms';
export { cardTradeComponents } from './components';
