import { ButtonStyle, type ChatInputCommandInteraction } from 'discord.js';
import { findMatches, type MatchPage, type MatchScope } from '../../../activities/cards/matching';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { ValidationError } from '../../../lib/errors';
import { formatUsd } from '../../../lib/scryfall/cards';
import type { ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { buttonRow, guildIdOf } from '../../interaction';
import { edited } from './shared';

/**
 * `/cards matches [server]`: the members with a two-way match, best first, a page of 5 with Previous /
 * Next. A button's key (`{scope}:{offset}`) is client data: the page is always the clicker's own
 * matches, in the server the click comes from, and the scope is re-read from a closed list.
 */
const PAGE = 5;
const MAX_OFFSET = 10_000;

function pageMessage(page: MatchPage, scope: MatchScope, offset: number) {
  const lines = page.matches.map(
    (m, i) =>
      `**${offset + i + 1}. <@${m.userId}>** · score ${m.score}\n` +
      `  they have ${m.theyGive.wants} of your wants (${formatUsd(m.theyGive.valueCents)}): ${m.theyGive.cards.join(', ')}\n` +
      `  you have ${m.iGive.wants} of theirs (${formatUsd(m.iGive.valueCents)}): ${m.iGive.cards.join(', ')}`,
  );
  const embed = guildflowEmbed({
    outcome: 'info',
    title: scope === 'guild' ? 'Your matches in this server' : 'Your matches in every server you share',
    description: lines.length ? lines.join('\n') : offset ? 'No more matches.' : 'No two-way matches yet: add haves and wants (/cards have add, /cards want add, /cards import).',
  });
  const buttons = buttonRow([
    { action: 'cards-matches', key: `${scope}:${Math.max(0, offset - PAGE)}`, label: 'Previous', disabled: offset === 0, style: ButtonStyle.Secondary },
    { action: 'cards-matches', key: `${scope}:${page.next ?? offset}`, label: 'Next', disabled: page.next === null, style: ButtonStyle.Secondary },
  ]);
  return edited(embed, { components: [buttons] });
}

export async function matchesHandler(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const scope: MatchScope = interaction.options.getBoolean('server') ? 'guild' : 'all';
  await interaction.deferReply({ flags: 'Ephemeral' });
  const page = await findMatches(deps.prisma, { userId: interaction.user.id, guildId, scope, limit: PAGE });
  await interaction.editReply(pageMessage(page, scope, 0));
}

export const matchesButtonHandler: ComponentHandler = {
  action: 'cards-matches',
  async handle(interaction, key, deps) {
    if (!interaction.isButton()) return;
    const guildId = guildIdOf(interaction);
    const [scopeText, offsetText] = key.split(':');
    const scope: MatchScope | undefined = scopeText === 'guild' || scopeText === 'all' ? scopeText : undefined;
    const offset = Number(offsetText);
    if (!scope || !Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new ValidationError('This button is not one Guildflow made.');
    await interaction.deferUpdate();
    const page = await findMatches(deps.prisma, { userId: interaction.user.id, guildId, scope, limit: PAGE, offset });
    await interaction.editReply(pageMessage(page, scope, offset));
  },
};
