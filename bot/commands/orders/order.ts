import { ButtonStyle, MessageFlags } from 'discord.js';
import { ensurePackages } from '../../../activities/codes/packages';
import { ORDER_TOPUP_ACTION } from '../../../activities/orders/buttons';
import { getCodeShopSettings, stockCounts } from '../../../activities/codes/stock';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { CodePackage, PrismaClient } from '../../../prisma/client';
import { orderFlow, type OrderInput } from '../../../lib/flows/orders';
import { orderStarted } from '../../../lib/flows/orders.client';
import { startTopupFor } from '../payments/topup';
import type { Command, ComponentHandler } from '../../command';
import { confirmAndStart } from '../confirm-flow';
import { buttonRow, guildIdOf } from '../../interaction';
import { orderData } from './definitions';

const CONFIRM = 'order-confirm';
const CANCEL = 'order-cancel';

/** The durations an order waits, from the guild's code shop settings. */
async function orderTimings(prisma: PrismaClient, guildId: string): Promise<Pick<OrderInput, 'topupWaitSeconds' | 'fundsRetrySeconds' | 'deliveryTimeoutSeconds' | 'deliveryRetrySeconds'>> {
  const s = await getCodeShopSettings(prisma, guildId);
  return { topupWaitSeconds: s.topupWaitSeconds, fundsRetrySeconds: Math.min(30, s.topupWaitSeconds), deliveryTimeoutSeconds: s.deliveryTimeoutSeconds, deliveryRetrySeconds: 5 };
}

/**
 * `/order package`: an ephemeral confirm message with the price, the member's balance and the stock;
 * Confirm (`gf:order-confirm:{packageId}.{price}.{requestId}`) starts `order:{requestId}` — a double click
 * finds the same flow.
 */
export const orderCommand: Command = {
  data: orderData,
  async handle(interaction, { prisma, codes }) {
    const guildId = guildIdOf(interaction);
    if (!codes) throw new AppError('code_shop_disabled', 'The code shop is not set up on this server’s Guildflow yet.');
    const size = interaction.options.getInteger('package', true);
    const pkg = (await ensurePackages(prisma, guildId)).find((p) => p.quantity === size && p.active);
    if (!pkg) throw new AppError('package_not_found', `There is no ${size}-code package on sale: see /stock view for the packages.`);
    await interaction.reply(await orderConfirmMessage(prisma, guildId, interaction.user.id, pkg, interaction.id));
  },
};

/** The ephemeral confirm message for a package (from /order or the shop panel's package menu). */
export async function orderConfirmMessage(prisma: PrismaClient, guildId: string, userId: string, pkg: CodePackage, requestId: string) {
  const asset = await assetLabel(prisma, guildId, pkg.assetCode);
  const { available } = await createLedger(prisma).balance(guildId, userAccount(userId), pkg.assetCode);
  const stock = (await stockCounts(prisma, guildId)).available;
  const lines = [
    `**Price:** ${formatAmount(asset, pkg.price)}`,
    `**You have:** ${formatAmount(asset, available)}${available < pkg.price ? ' — not enough: confirm, then top up with the Top up button and the order goes ahead' : ''}`,
    stock < pkg.quantity ? `**Stock:** only ${stock} code${stock === 1 ? '' : 's'} left` : '**Stock:** available',
    'The codes come by direct message.',
  ];
  return {
    flags: MessageFlags.Ephemeral as const,
    allowedMentions: { parse: [] },
    embeds: [guildflowEmbed({ outcome: 'pending', title: `Order ${pkg.quantity} code${pkg.quantity === 1 ? '' : 's'}?`, description: lines.join('\n') })],
    components: [
      buttonRow([
        { action: CONFIRM, key: `${pkg.id}.${pkg.price}.${requestId}`, label: 'Confirm', style: ButtonStyle.Success },
        { action: CANCEL, key: requestId, label: 'Cancel' },
      ]),
    ],
  };
}

export const orderConfirmButton: ComponentHandler = {
  action: CONFIRM,
  async handle(interaction, key, deps) {
    const m = /^(\d{1,9})\.(\d{1,19})\.(\d{15,21})$/.exec(key);
    if (!interaction.isButton() || !m) throw new AppError('invalid_component', 'This is not an order button.');
    const [, packageId, price, requestId] = m as unknown as [string, string, string, string];
    const guildId = guildIdOf(interaction);
    await confirmAndStart(interaction, deps, orderFlow, [requestId], {
      summary: `Code order: package #${packageId}`,
      input: async (): Promise<OrderInput> => ({
        orderId: requestId,
        requestKey: `order:${requestId}`,
        guildId,
        userId: interaction.user.id,
        packageId: Number(packageId),
        expectedPrice: price,
        reply: { applicationId: interaction.applicationId, interactionToken: interaction.token },
        ...(await orderTimings(deps.prisma, guildId)),
      }),
    });
  },
};

export const orderCancelButton: ComponentHandler = {
  action: CANCEL,
  async handle(interaction, key, { temporal }) {
    if (!interaction.isButton() || !/^\d{15,21}$/.test(key)) throw new AppError('invalid_component', 'This is not an order button.');
    if (await orderStarted(temporal, key)) throw new AppError('already_confirmed', 'This order is already confirmed and cannot be cancelled.');
    await interaction.update({ embeds: [guildflowEmbed({ outcome: 'info', title: 'Order cancelled', description: 'Nothing was charged.' })], components: [] });
  },
};

/**
 * The Top up button on an order waiting for funds (`gf:order-topup:{orderId}`): starts a top-up of what is
 * missing (at least the minimum top-up) whose credit wakes the order; the QR code shows in a new
 * ephemeral reply.
 */
export const orderTopupButton: ComponentHandler = {
  action: ORDER_TOPUP_ACTION,
  async handle(interaction, key, deps) {
    const { prisma, topup: settings } = deps;
    if (!interaction.isButton() || !/^\d{15,21}$/.test(key)) throw new AppError('invalid_component', 'This is not an order button.');
    const guildId = guildIdOf(interaction);
    if (!settings) throw new AppError('payments_disabled', 'Top-ups are not set up on this server’s Guildflow yet: an operator must configure the payment gateway.');
    const o = await prisma.codeOrder.findFirst({ where: { id: key, guildId } });
    if (!o) throw new AppError('not_found', 'This order no longer exists.', 404);
    if (o.userId !== interaction.user.id) throw new AppError('forbidden', 'Only the member who ordered can top up for this order.');
    if (o.status !== 'awaiting_funds') throw new AppError('order_not_waiting', `This order is ${o.status.replace('_', ' ')}: it is not waiting for money any more.`);
    const { available } = await createLedger(prisma).balance(guildId, userAccount(o.userId), o.assetCode);
    const missing = o.price - available;
    if (missing <= 0n) throw new AppError('enough_funds', 'Your balance is already enough: the order goes ahead by itself in a moment.');
    const amount = Math.min(settings.limits.max, Math.max(settings.limits.min, Number(missing)));
    if (BigInt(amount) < missing) throw new AppError('topup_too_large', `You need ${missing} more, above the largest top-up (${settings.limits.max}): top up several times with /topup.`);
    await startTopupFor(interaction, amount, deps, o.id);
  },
};
