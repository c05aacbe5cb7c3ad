import { ComponentType, MessageFlags, TextInputStyle, type ModalSubmitInteraction } from 'discord.js';
import { CARD_TRADE_ACTIONS, findProposal, rateTrade } from '../../../activities/card-trades';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { CardTradeResult } from '../../../lib/flows/card-trades';
import { confirmTradeReceipt, disputeTrade, respondToTrade } from '../../../lib/flows/card-trades.client';
import type { ComponentHandler, ComponentInteraction } from '../../command';
import { termsFormFields, typedTermsOf } from './form';
import { termsFrom } from './terms';

/**
 * The buttons on a trade's DMs (`gf:ctrade-…:{proposalId}`) and their forms. The proposal id is client
 * data: who may act is decided by the flow's validators from the interaction's user (a party, whose turn
 * it is), never from the id. They work in DMs: the proposal knows its server.
 */

function proposalIdOf(key: string): string {
  if (!/^[A-Za-z0-9-]{1,40}$/.test(key)) throw new AppError('invalid_component', 'This is not a trade button.');
  return key;
}
const modalOnly = (interaction: ComponentInteraction): ModalSubmitInteraction => {
  if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not a trade form.');
  return interaction;
};
const field = (id: string, label: string, style: TextInputStyle, required: boolean, max: number, placeholder?: string) => ({
  type: ComponentType.ActionRow as const,
  components: [{ type: ComponentType.TextInput as const, custom_id: id, label, style, required, max_length: max, ...(placeholder ? { placeholder } : {}) }],
});

async function answer(interaction: ComponentInteraction, title: string, send: () => Promise<CardTradeResult>): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const result = await send();
  await interaction.editReply({ embeds: [guildflowEmbed({ outcome: result.ok ? 'success' : 'warning', title: result.ok ? title : 'Nothing changed', description: result.message })], allowedMentions: { parse: [] } });
}

const respondButton = (action: 'accept' | 'decline', title: string): ComponentHandler => ({
  action: CARD_TRADE_ACTIONS[action],
  handle: (interaction, key, { temporal }) => answer(interaction, title, () => respondToTrade(temporal, proposalIdOf(key), { userId: interaction.user.id, action })),
});

const counterButton: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.counter,
  async handle(interaction, key) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a trade button.');
    await interaction.showModal({
      title: 'Counter with new terms',
      custom_id: customId(CARD_TRADE_ACTIONS.counterModal, proposalIdOf(key)),
      components: termsFormFields(),
    });
  },
};

const counterModal: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.counterModal,
  async handle(interaction, key, { prisma, temporal }) {
    const modal = modalOnly(interaction);
    const proposalId = proposalIdOf(key);
    const p = await findProposal(prisma, proposalId);
    if (!p) throw new AppError('not_found', 'There is no such trade.', 404);
    const other = modal.user.id === p.proposerId ? p.recipientId : p.proposerId;
    const terms = termsFrom(typedTermsOf(modal), modal.user.id, other);
    await answer(modal, 'Counter sent', () => respondToTrade(temporal, proposalId, { userId: modal.user.id, action: 'counter', terms }));
  },
};

const confirmButton: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.confirm,
  handle: (interaction, key, { temporal }) => answer(interaction, 'Receipt confirmed', () => confirmTradeReceipt(temporal, proposalIdOf(key), interaction.user.id)),
};

const disputeButton: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.dispute,
  async handle(interaction, key) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a trade button.');
    await interaction.showModal({
      title: 'Dispute this trade',
      custom_id: customId(CARD_TRADE_ACTIONS.disputeModal, proposalIdOf(key)),
      components: [field('reason', 'What went wrong', TextInputStyle.Paragraph, true, 1000)],
    });
  },
};

const disputeModal: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.disputeModal,
  handle: (interaction, key, { temporal }) => {
    const modal = modalOnly(interaction);
    return answer(modal, 'Trade disputed', () => disputeTrade(temporal, proposalIdOf(key), modal.user.id, modal.fields.getTextInputValue('reason')));
  },
};

const rateButton: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.rate,
  async handle(interaction, key) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a trade button.');
    await interaction.showModal({
      title: 'Rate this trade',
      custom_id: customId(CARD_TRADE_ACTIONS.rateModal, proposalIdOf(key)),
      components: [field('stars', 'Stars (1 to 5)', TextInputStyle.Short, true, 1, '5'), field('comment', 'A comment', TextInputStyle.Paragraph, false, 1000)],
    });
  },
};

const rateModal: ComponentHandler = {
  action: CARD_TRADE_ACTIONS.rateModal,
  async handle(interaction, key, { prisma }) {
    const modal = modalOnly(interaction);
    const stars = Number(modal.fields.getTextInputValue('stars').trim());
    await rateTrade(prisma, { proposalId: proposalIdOf(key), raterId: modal.user.id, stars, comment: modal.fields.getTextInputValue('comment') });
    await modal.reply({ flags: MessageFlags.Ephemeral, embeds: [guildflowEmbed({ outcome: 'success', title: 'Thanks for rating', description: `${stars} ★ recorded.` })] });
  },
};

export const cardTradeComponents: readonly ComponentHandler[] = [
  respondButton('accept', 'Trade accepted'),
  respondButton('decline', 'Trade declined'),
  counterButton,
  counterModal,
  confirmButton,
  disputeButton,
  disputeModal,
  rateButton,
  rateModal,
];
