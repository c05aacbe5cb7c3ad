import { ButtonStyle, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { assertTradersInGuild, matchTermsInGuild, type MatchTerms, type TermLine } from '../../../activities/cards/match-terms';
import { findMatches, type MatchPage, type MatchScope } from '../../../activities/cards/matching';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import { formatUsd } from '../../../lib/scryfall/cards';
import type { PrismaClient } from '../../../prisma/client';
import type { ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { buttonRow, guildIdOf } from '../../interaction';
import { linesText, proposeTo, termsFormFields, typedTermsOf } from '../card-trades';
import { edited } from './shared';

/**
 * `/cards matches [server]`: the members with a two-way match, best first, a page of 5 with Previous /
 * Next. A button's key (`{scope}:{offset}:{direction}`) is client data: the page is always the clicker's own
 * matches, in the server the click comes from, and the scope is re-read from a closed list.
 *
 * Each match with a member of this server has a Propose button (`{owner}:{other}`) that opens the terms
 * form filled with the match's suggested terms; submitting it proposes as `/cards propose` does. Both
 * keys are client data too: the clicker must be the page's owner, the other member must be in this
 * server (a trade's parties are members of its server), and on the click the match must still hold.
 */
const PAGE = 5;
const MAX_OFFSET = 10_000;
const PROPOSE = 'cards-match-propose';
const PROPOSE_FORM = 'cards-match-form';

function pageMessage(page: MatchPage, scope: MatchScope, offset: number, ownerId: string, here: ReadonlySet<string>) {
  const lines = page.matches.map(
    (m, i) =>
      `**${offset + i + 1}. <@${m.userId}>** · score ${m.score}${here.has(m.userId) ? '' : ' · in another server: propose from there'}\n` +
      `  they have ${m.theyGive.wants} of your wants (${formatUsd(m.theyGive.valueCents)}): ${m.theyGive.cards.join(', ')}\n` +
      `  you have ${m.iGive.wants} of theirs (${formatUsd(m.iGive.valueCents)}): ${m.iGive.cards.join(', ')}`,
  );
  const embed = guildflowEmbed({
    outcome: 'info',
    title: scope === 'guild' ? 'Your matches in this server' : 'Your matches in every server you share',
    description: lines.length ? lines.join('\n') : offset ? 'No more matches.' : 'No two-way matches yet: add haves and wants (/cards have add, /cards want add, /cards import).',
  });
  const propose = page.matches.flatMap((m, i) =>
    here.has(m.userId) ? [{ action: PROPOSE, key: `${ownerId}:${m.userId}`, label: `Propose #${offset + i + 1}`, style: ButtonStyle.Primary as const }] : [],
  );
  // The direction keeps the two ids distinct when both point at the same page (Discord refuses duplicates).
  const pages = buttonRow([
    { action: 'cards-matches', key: `${scope}:${Math.max(0, offset - PAGE)}:prev`, label: 'Previous', disabled: offset === 0, style: ButtonStyle.Secondary },
    { action: 'cards-matches', key: `${scope}:${page.next ?? offset}:next`, label: 'Next', disabled: page.next === null, style: ButtonStyle.Secondary },
  ]);
  return edited(embed, { components: propose.length ? [buttonRow(propose), pages] : [pages] });
}

/** The page's matched members who are members of this server (only they can be proposed to here). */
async function inThisServer(prisma: PrismaClient, guildId: string, page: MatchPage): Promise<Set<string>> {
  if (!page.matches.length) return new Set();
  const rows = await prisma.member.findMany({ where: { guildId, userId: { in: page.matches.map((m) => m.userId) }, leftAt: null }, select: { userId: true } });
  return new Set(rows.map((r) => r.userId));
}

async function showPage(interaction: ChatInputCommandInteraction | ButtonInteraction, deps: BotDeps, guildId: string, scope: MatchScope, offset: number) {
  const page = await findMatches(deps.prisma, { userId: interaction.user.id, guildId, scope, limit: PAGE, offset });
  await interaction.editReply(pageMessage(page, scope, offset, interaction.user.id, await inThisServer(deps.prisma, guildId, page)));
}

export async function matchesHandler(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const scope: MatchScope = interaction.options.getBoolean('server') ? 'guild' : 'all';
  await interaction.deferReply({ flags: 'Ephemeral' });
  await showPage(interaction, deps, guildId, scope, 0);
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
    await showPage(interaction, deps, guildId, scope, offset);
  },
};

/** The Propose key's two members; the clicker must be its owner (a button of another member's page does nothing). */
function partiesOf(key: string, clickerId: string): { ownerId: string; otherId: string } {
  const m = /^(\d{17,20}):(\d{17,20})$/.exec(key);
  if (!m) throw new ValidationError('This button is not one Guildflow made.');
  if (m[1] !== clickerId) throw new AppError('forbidden', 'This button is on another member’s matches: run /cards matches for yours.', 403);
  return { ownerId: m[1]!, otherId: m[2]! };
}

const names = (lines: TermLine[]) => lines.map((l) => (l.quantity > 1 ? `${l.name} ×${l.quantity}` : l.name)).join(', ');

/** The form's values for the suggested terms, in /cards propose's words (cash in dollars, paid by me or them). */
function prefill(terms: MatchTerms, ownerId: string) {
  return {
    offer: linesText(terms.offered),
    ask: linesText(terms.asked),
    cash: terms.cashCents ? (terms.cashCents / 100).toFixed(2) : '',
    payer: terms.cashPayerId === null ? '' : terms.cashPayerId === ownerId ? 'me' : 'them',
    message: `From our match: my ${names(terms.offered)} for your ${names(terms.asked)}.`.slice(0, 1000),
  };
}

export const matchProposeButtonHandler: ComponentHandler = {
  action: PROPOSE,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton()) throw new ValidationError('This button is not one Guildflow made.');
    const guildId = guildIdOf(interaction);
    const { ownerId, otherId } = partiesOf(key, interaction.user.id);
    const terms = await matchTermsInGuild(prisma, { guildId, userId: ownerId, otherUserId: otherId });
    await interaction.showModal({ title: 'Propose a trade from your match', custom_id: customId(PROPOSE_FORM, key), components: termsFormFields(prefill(terms, ownerId)) });
  },
};

export const matchProposeFormHandler: ComponentHandler = {
  action: PROPOSE_FORM,
  async handle(interaction, key, deps) {
    if (!interaction.isModalSubmit()) throw new ValidationError('This form is not one Guildflow made.');
    const guildId = guildIdOf(interaction);
    const { ownerId, otherId } = partiesOf(key, interaction.user.id);
    // The member may have changed the terms: they are proposed as typed, to a member of this server.
    await assertTradersInGuild(deps.prisma, { guildId, userId: ownerId, otherUserId: otherId });
    await proposeTo(interaction, deps, otherId, typedTermsOf(interaction));
  },
};
