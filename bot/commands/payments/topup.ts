import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationCommandOptionType, MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type ModalSubmitInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BotDeps } from '../../deps';
import { checkTopupAmount } from '../../../activities/payments';
import { AppError } from '../../../lib/errors';
import { DiscordUserId, FlowKind, GuildId } from '../../../lib/search-attributes';
import { topupWorkflowId, type topup } from '../../../workflows/topup';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';

export const topupData = {
  name: 'topup',
  description: 'Top up your balance with QRIS (any e-wallet or banking app)',
  contexts: [0],
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How much to pay, in rupiah', required: true }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

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
 * Checks the amount, defers an ephemeral reply and starts `topup:{paymentId}` (shared by /topup, the shop
 * panel and an order's Top up button, whose order the credit wakes: `notifyOrderId`).
 */
export async function startTopupFor(
  interaction: ChatInputCommandInteraction | ModalSubmitInteraction | ButtonInteraction,
  amount: number,
  { temporal, taskQueue, log, topup: settings }: BotDeps,
  notifyOrderId?: string,
): Promise<void> {
  const guildId = guildIdOf(interaction);
  if (!settings) throw new AppError('payments_disabled', 'Top-ups are not set up on this server’s Guildflow yet: an operator must configure the payment gateway.');
  checkTopupAmount(amount, settings.limits);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const paymentId = topupPaymentId(interaction.id);
  const workflowId = topupWorkflowId(paymentId);
  try {
    await temporal.workflow.start<typeof topup>('topup', {
      taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: GuildId, value: guildId },
        { key: DiscordUserId, value: interaction.user.id },
        { key: FlowKind, value: 'topup' },
      ],
      staticSummary: `Top-up of Rp ${amount.toLocaleString('en-US')}${notifyOrderId ? ` for order ${notifyOrderId}` : ''} by ${interaction.user.username} (${interaction.user.id})`,
      args: [
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
      ],
    });
    log.info({ workflowId, interactionId: interaction.id, orderId: notifyOrderId }, 'top-up started');
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
