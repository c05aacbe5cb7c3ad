import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { formatUsd } from '../../../lib/scryfall/cards';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { pricesOf } from '../../../activities/cards/catalog';
import type { BotDeps } from '../../deps';
import { catalogOf, edited, printingLabel, printingOption } from './shared';

/** `/cards price card [set number]`: the printing's prices per finish, from the catalog (cached a day). */
export async function priceHandler(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  await interaction.deferReply({ flags: 'Ephemeral' });
  const catalog = catalogOf(deps);
  const printing = await catalog.fresh((await printingOption(interaction, catalog)).id);
  const prices = pricesOf(printing);
  const fields = printing.finishes.map((f) => ({ name: f, value: formatUsd(prices[f as keyof typeof prices]), inline: true }));
  await interaction.editReply(
    edited(
      guildflowEmbed({
        outcome: 'info',
        title: printingLabel(printing),
        description: `${printing.setName} · ${printing.rarity}`,
        fields,
        timestamp: printing.fetchedAt.toISOString(),
      }),
    ),
  );
}

/** The card option's suggestions: the catalog's autocompletion (cached), at most 25 as Discord allows. */
export async function cardAutocomplete(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name !== 'card') return interaction.respond([]);
  const names = await catalogOf(deps).autocomplete(String(focused.value));
  await interaction.respond(names.slice(0, 25).map((n) => ({ name: n.slice(0, 100), value: n.slice(0, 100) })));
}
