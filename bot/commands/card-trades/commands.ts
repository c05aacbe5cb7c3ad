import { MessageFlags, type ChatInputCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import { listProposals, postTradeMessage, traderProfile, tradeTimings } from '../../../activities/card-trades';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import { proposeTrade } from '../../../lib/flows/card-trades.client';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { termsFrom, type TypedTerms } from './terms';

/**
 * The trade subcommands' handlers, by subcommand name (the `/cards` command dispatches to them):
 * propose (update-with-start: the reply says whether the cards were reserved), trades (mine), profile,
 * trade message (recorded, then relayed to the other party by the flow).
 */
export type TradeSubcommandHandler = (interaction: ChatInputCommandInteraction, deps: BotDeps) => Promise<void>;

/**
 * Proposes typed terms to a member and answers whether the cards were reserved: the one path of
 * `/cards propose` and of the form a match's Propose button opens.
 */
export async function proposeTo(interaction: ChatInputCommandInteraction | ModalSubmitInteraction, { prisma, temporal, taskQueue }: BotDeps, recipientId: string, typed: TypedTerms): Promise<void> {
  const guildId = guildIdOf(interaction);
  const terms = termsFrom(typed, interaction.user.id, recipientId);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const timings = await tradeTimings(prisma, guildId);
  // The interaction's id is the proposal's: a retried delivery finds the same proposal.
  const result = await proposeTrade({ temporal, taskQueue }, { proposalId: interaction.id, guildId, proposerId: interaction.user.id, recipientId, terms, ...timings });
  await interaction.editReply({
    embeds: [guildflowEmbed({ outcome: result.ok ? 'pending' : 'error', title: result.ok ? 'Trade proposed' : 'Trade not proposed', description: result.message, flowId: result.workflowId })],
    allowedMentions: { parse: [] },
  });
}

const propose: TradeSubcommandHandler = async (interaction, deps) => {
  const recipient = interaction.options.getUser('member', true);
  if (recipient.bot) throw new AppError('invalid_input', 'Bots do not trade cards.');
  await proposeTo(interaction, deps, recipient.id, {
    offer: interaction.options.getString('offer'),
    ask: interaction.options.getString('ask'),
    cash: interaction.options.getNumber('cash'),
    cashPayer: interaction.options.getString('cash_payer'),
    message: interaction.options.getString('message'),
  });
};

const trades: TradeSubcommandHandler = async (interaction, { prisma }) => {
  const rows = await listProposals(prisma, { guildId: guildIdOf(interaction), userId: interaction.user.id, limit: 10 });
  const lines = rows.slice(0, 10).map((p) => {
    const other = p.proposerId === interaction.user.id ? p.recipientId : p.proposerId;
    const turn = p.status === 'proposed' ? (p.turnUserId === interaction.user.id ? ' · **your turn**' : ' · their turn') : '';
    return `\`${p.id}\` with <@${other}> · ${p.status} (v${p.version})${turn}`;
  });
  await interaction.reply({
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
    embeds: [guildflowEmbed({ outcome: 'info', title: 'Your trades', description: lines.join('\n') || 'No trades yet: `/cards propose` starts one.' })],
  });
};

const profile: TradeSubcommandHandler = async (interaction, { prisma }) => {
  const member = interaction.options.getUser('member') ?? interaction.user;
  const p = await traderProfile(prisma, member.id);
  await interaction.reply({
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `${member.username}: ${p.tier} trader`,
        fields: [
          { name: 'Completed trades', value: String(p.completedTrades), inline: true },
          { name: 'Rating', value: p.averageRating === null ? '—' : `${p.averageRating.toFixed(2)} ★ (${p.ratings})`, inline: true },
          { name: 'Disputes lost', value: String(p.disputesLost), inline: true },
          { name: 'Lists', value: `${p.lists.collection} cards · ${p.lists.haves} haves · ${p.lists.wants} wants` },
        ],
      }),
    ],
  });
};

const message: TradeSubcommandHandler = async (interaction, { prisma, temporal }) => {
  const proposalId = interaction.options.getString('trade', true).trim();
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { relayed } = await postTradeMessage({ prisma, temporal }, { guildId: guildIdOf(interaction), proposalId, authorId: interaction.user.id, body: interaction.options.getString('text', true) });
  await interaction.editReply({
    embeds: [
      guildflowEmbed({
        outcome: relayed ? 'success' : 'info',
        title: relayed ? 'Message sent' : 'Message kept',
        description: relayed ? 'The other member gets it by DM or email, as they chose.' : 'This trade is over: your message is kept with it, but nobody is told.',
        flowId: `card-trade:${proposalId}`,
      }),
    ],
    allowedMentions: { parse: [] },
  });
};

export const tradeSubcommandHandlers: Readonly<Record<string, TradeSubcommandHandler>> = { propose, trades, profile, 'trade message': message };
