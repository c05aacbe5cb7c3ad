import type { ChatInputCommandInteraction } from 'discord.js';
import { pricesOf } from '../../../activities/cards/catalog';
import { addHave, addWant, listHaves, listWants, removeHave, removeWant, setListsPublic } from '../../../activities/cards/lists';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { formatUsd } from '../../../lib/scryfall/cards';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { alertWanters, catalogOf, centsOption, edited, ephemeral, printingLabel, printingOption } from './shared';

/** `/cards have …`, `/cards want …` and `/cards visibility`: one read or one transaction each. */

export async function haveAdd(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  await interaction.deferReply({ flags: 'Ephemeral' });
  const printing = await printingOption(interaction, catalogOf(deps));
  const quantity = interaction.options.getInteger('quantity') ?? 1;
  const { haveId } = await addHave(deps.prisma, interaction.user.id, {
    printing,
    quantity,
    condition: interaction.options.getString('condition') ?? undefined,
    finish: interaction.options.getString('finish') ?? undefined,
    minValueCents: centsOption(interaction.options.getNumber('min_value')),
    notes: interaction.options.getString('notes'),
  });
  await alertWanters(deps, guildId, [haveId]);
  await interaction.editReply(edited(guildflowEmbed({ outcome: 'success', title: 'Added to your haves', description: `**${quantity} ×** ${printingLabel(printing)} · have #${haveId}` })));
}

export async function wantAdd(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  await interaction.deferReply({ flags: 'Ephemeral' });
  const printing = await printingOption(interaction, catalogOf(deps));
  const quantity = interaction.options.getInteger('quantity') ?? 1;
  const anyPrinting = interaction.options.getBoolean('any_printing') ?? interaction.options.getString('set') === null;
  const { wantId } = await addWant(deps.prisma, interaction.user.id, {
    printing,
    quantity,
    anyPrinting,
    minCondition: interaction.options.getString('min_condition') ?? undefined,
    foilRequired: interaction.options.getBoolean('foil') ?? false,
    maxPriceCents: centsOption(interaction.options.getNumber('max_price')),
    priority: interaction.options.getInteger('priority') ?? undefined,
    alert: interaction.options.getBoolean('alert') ?? false,
  });
  const what = anyPrinting ? `${printing.name} (any printing)` : printingLabel(printing);
  await interaction.editReply(edited(guildflowEmbed({ outcome: 'success', title: 'Added to your wants', description: `**${quantity} ×** ${what} · want #${wantId}` })));
}

export async function haveList(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const member = interaction.options.getUser('member') ?? interaction.user;
  const haves = await listHaves(deps.prisma, member.id, { limit: 25 });
  const lines = haves.map((h) => {
    const price = pricesOf(h.item.printing)[h.item.finish as 'nonfoil'];
    return `#${h.id} **${h.quantity} ×** ${printingLabel(h.item.printing)} · ${h.item.condition}${h.item.finish === 'nonfoil' ? '' : ` ${h.item.finish}`} · ${formatUsd(price)}${h.notes ? ` · ${h.notes}` : ''}`;
  });
  const title = member.id === interaction.user.id ? 'Your haves' : `${member.username}'s haves`;
  await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'info', title, description: lines.length ? lines.join('\n') : 'Nothing offered yet: /cards have add or /cards import.' })));
}

export async function wantList(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const member = interaction.options.getUser('member') ?? interaction.user;
  const wants = await listWants(deps.prisma, member.id, { limit: 25 });
  const lines = wants.map(
    (w) =>
      `#${w.id} **${w.quantity} ×** ${w.anyPrinting ? `${w.printing.name} (any printing)` : printingLabel(w.printing)} · ${w.minCondition}+${w.foilRequired ? ' foil' : ''}` +
      `${w.maxPriceCents !== null ? ` · at most ${formatUsd(w.maxPriceCents)}` : ''} · priority ${w.priority}${w.alert ? ' · 🔔' : ''}`,
  );
  const title = member.id === interaction.user.id ? 'Your wants' : `${member.username}'s wants`;
  await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'info', title, description: lines.length ? lines.join('\n') : 'Nothing wanted yet: /cards want add or /cards import.' })));
}

export async function haveRemove(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const id = BigInt(interaction.options.getInteger('id', true));
  const { left } = await removeHave(deps.prisma, interaction.user.id, id, interaction.options.getInteger('quantity') ?? undefined);
  await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'success', title: left ? `Have #${id}: ${left} left on offer` : `Have #${id} removed`, description: 'Your collection keeps the cards.' })));
}

export async function wantRemove(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const id = BigInt(interaction.options.getInteger('id', true));
  await removeWant(deps.prisma, interaction.user.id, id);
  await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'success', title: `Want #${id} removed` })));
}

export async function visibility(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const listsPublic = interaction.options.getBoolean('public', true);
  await setListsPublic(deps.prisma, interaction.user.id, listsPublic);
  const description = listsPublic
    ? 'Members of every server you share with them can find your lists in their matches.'
    : 'Only members looking in a server you are in find your lists in their matches.';
  await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'success', title: listsPublic ? 'Your lists are public' : 'Your lists are private', description })));
}
