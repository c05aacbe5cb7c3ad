import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { AppError } from '../../../lib/errors';
import type { Command, ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { cardEmailHandlers, cardEmailSubcommands } from '../card-email';
import { addTradeSubcommands, cardTradeComponents, tradeSubcommandHandlers } from '../card-trades';
import { cardsData } from './definitions';
import { importHandler, importModalHandler } from './import';
import { haveAdd, haveList, haveRemove, visibility, wantAdd, wantList, wantRemove } from './lists';
import { matchesButtonHandler, matchesHandler, matchProposeButtonHandler, matchProposeFormHandler } from './matches';
import { cardAutocomplete, priceHandler } from './price';

/** `/cards`: one command (lists and matches here, trades from ../card-trades), its handler found by subcommand group and subcommand. */
const HANDLERS: Record<string, (interaction: ChatInputCommandInteraction, deps: BotDeps) => Promise<void>> = {
  price: priceHandler,
  'have add': haveAdd,
  'have list': haveList,
  'have remove': haveRemove,
  'want add': wantAdd,
  'want list': wantList,
  'want remove': wantRemove,
  import: importHandler,
  matches: matchesHandler,
  visibility,
  ...tradeSubcommandHandlers,
  ...cardEmailHandlers,
};

const cardsCommand: Command = {
  data: addTradeSubcommands({ ...cardsData, options: [...cardsData.options, ...cardEmailSubcommands()] }),
  async handle(interaction, deps) {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(true);
    const handler = HANDLERS[group ? `${group} ${sub}` : sub];
    if (!handler) throw new AppError('unknown_command', `/cards ${group ? `${group} ` : ''}${sub} is not a Guildflow command (any more).`);
    await handler(interaction, deps);
  },
  autocomplete: (interaction: AutocompleteInteraction, deps: BotDeps) => cardAutocomplete(interaction, deps),
};

export const cardsCommands: readonly Command[] = [cardsCommand];
export const cardsComponents: readonly ComponentHandler[] = [importModalHandler, matchesButtonHandler, matchProposeButtonHandler, matchProposeFormHandler, ...cardTradeComponents];
