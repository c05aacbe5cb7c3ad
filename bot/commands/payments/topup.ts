import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction } from 'discord.js';
import { checkTopupAmount, checkTopupRoom } from '../../../activities/payments';
import { AppError } from '../../../lib/errors';
import { startTopup } from '../../../lib/flows/payments.client';
import type { Command } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { topupData } from './definitions';

/** The payment id of a /topup: the interaction's id, so a retried start names the same flow. */
export const topupPaymentId = (interactionId: string): string => `tp-${interactionId}`;

/**
 * `/topup amount`: checks the amount against the limits, defers an ephemeral reply and starts
 * `topup:{paymentId}`, which edits that reply with the QR code (only the member sees it) and later with
 * the outcome; the receipt comes by DM. The handler never waits for the payment.
 */
export const topupCommand: Command = {
  data: topupData,
  async handle(interaction, deps) {
    await startTopupFor(interaction, interaction.options.getInteger('amount', true), deps);
  },
};

/**
 * Checks the amount and the member's hourly top-up limit, defers an ephemeral reply and starts
 * `topup:{paymentId}` (shared by /topup, the shop panel and an order's Top up button, whose order the
 * credit wakes: `notifyOrderId`).
 */
export async function startTopupFor(
  interaction: ChatInputCommandInteraction | ModalSubmitInteraction | ButtonInteraction,
  amount: number,
  { prisma, temporal, taskQueue, log, topup: settings }: BotDeps,
  notifyOrderId?: string,
): Promise<void> {
  const guildId = guildIdOf(interaction);
  if (!settings) throw new AppError('payments_disabled', 'Top-ups are not set up on this server’s Guildflow yet: an operator must configure the payment gateway.');
  checkTopupAmount(amount, settings.limits);
  // Told at once with nothing started; the top-up's own creation re-checks under a lock (concurrent clicks).
  await checkTopupRoom(prisma, guildId, interaction.user.id);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const paymentId = topupPaymentId(interaction.id);
  const { workflowId, started } = await startTopup(
    { temporal, taskQueue },
    {
      paymentId,
      requestKey: `topup:${interaction.id}`,
      guildId,
      userId: interaction.user.id,
      amount: String(amount),
      expirySeconds: settings.expirySeconds,
      pollSeconds: settings.pollSeconds,
      lateSettlementSeconds: settings.lateSettlementSeconds,
      reply: { applicationId: interaction.applicationId, interactionToken: interaction.token },
      ...(notifyOrderId ? { notifyOrderId } : {}),
    },
    `Top-up of Rp ${amount.toLocaleString('en-US')}${notifyOrderId ? ` for order ${notifyOrderId}` : ''} by ${interaction.user.username} (${interaction.user.id})`,
  );
  // Not started: this interaction's top-up already runs (a retried delivery of the same click).
  if (started) log.info({ workflowId, interactionId: interaction.id, orderId: notifyOrderId }, 'top-up started');
}
