import { MessageFlags } from 'discord.js';
import { AppError } from '../../../lib/errors';
import type { Command } from '../../command';
import { addTradeSubcommands } from './definitions';
import { tradeSubcommandHandlers } from './commands';

/**
 * A minimal `/cards` with only the trade subcommands, so trades run (and are tested) before the catalog
 * feature's `/cards` exists. At the merge the catalog's command replaces this one: its definition calls
 * `addTradeSubcommands` and its handler dispatches `propose`, `trades` and `profile` to
 * `tradeSubcommandHandlers`.
 */
export const cardsCommand: Command = {
  data: addTradeSubcommands({ name: 'cards', description: 'Card trading', contexts: [0] }),
  async handle(interaction, deps) {
    const handler = tradeSubcommandHandlers[interaction.options.getSubcommand()];
    if (!handler) {
      await interaction.reply({ flags: MessageFlags.Ephemeral, content: 'Unknown /cards subcommand.' });
      throw new AppError('invalid_input', `Unknown /cards subcommand ${interaction.options.getSubcommand()}.`);
    }
    await handler(interaction, deps);
  },
};
