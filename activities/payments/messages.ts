import type { APIEmbed } from 'discord-api-types/v10';
import { formatAmount } from '../../lib/discord/amounts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { topupFlow } from '../../lib/flows/payments';
import type { Payment } from '../../prisma/client';
import type { AssetLabel } from '../shop/messages';

/**
 * What members and admins read about a top-up. Written by activities, not the workflow, so wording can
 * change without touching workflow histories.
 */

export const QR_FILE_NAME = 'qris.png';

const rupiah = (amount: bigint): string => `Rp ${amount.toLocaleString('en-US')}`;
const when = (d: Date): string => `<t:${Math.floor(d.getTime() / 1000)}:t> (<t:${Math.floor(d.getTime() / 1000)}:R>)`;

export function qrEmbed(p: Payment, asset: AssetLabel, expiresAt: Date, withImage: boolean): APIEmbed {
  const embed = guildflowEmbed({
    outcome: 'pending',
    title: `Top up ${rupiah(p.amount)}`,
    description: [
      `Scan this QRIS code with any e-wallet or banking app and pay **${rupiah(p.amount)}**.`,
      `You will receive **${formatAmount(asset, p.credit)}** as soon as the payment arrives.`,
      `The code expires at ${when(expiresAt)}.`,
      withImage ? '' : `The image could not be loaded; open it here: ${p.qrUrl ?? '(unavailable)'}`,
    ]
      .filter(Boolean)
      .join('\n'),
    fields: [
      { name: 'Amount', value: rupiah(p.amount), inline: true },
      { name: 'Expires', value: when(expiresAt), inline: true },
    ],
    flowId: topupFlow.id(p.id),
  });
  return withImage ? { ...embed, image: { url: `attachment://${QR_FILE_NAME}` } } : embed;
}

export function paidEmbed(p: Payment, asset: AssetLabel, balance: bigint): APIEmbed {
  return guildflowEmbed({
    outcome: 'success',
    title: 'Top-up received',
    description: `We received your payment of **${rupiah(p.amount)}** and added **${formatAmount(asset, p.credit)}** to your balance.\nYour balance is now **${formatAmount(asset, balance)}**.`,
    fields: [
      { name: 'Payment', value: p.id, inline: true },
      ...(p.providerTransactionId ? [{ name: 'Transaction', value: p.providerTransactionId, inline: true }] : []),
    ],
    flowId: topupFlow.id(p.id),
    timestamp: (p.creditedAt ?? new Date()).toISOString(),
  });
}

export function endedEmbed(p: Payment, event: 'expired' | 'denied' | 'cancelled' | 'failed', reason?: string): APIEmbed {
  const text: Record<typeof event, { title: string; body: string }> = {
    expired: {
      title: 'Top-up expired',
      body: `The QR code for **${rupiah(p.amount)}** has expired and nothing was charged. If you already paid, you will still be credited as soon as the payment arrives. Run /topup again for a new code.`,
    },
    denied: { title: 'Top-up refused', body: `The payment of **${rupiah(p.amount)}** was refused by the payment provider. Nothing was charged.` },
    cancelled: { title: 'Top-up cancelled', body: `The payment of **${rupiah(p.amount)}** was cancelled. Nothing was charged.` },
    failed: { title: 'Top-up failed', body: `The payment of **${rupiah(p.amount)}** could not be started: ${reason ?? 'the payment provider refused it'}. Nothing was charged.` },
  };
  return guildflowEmbed({ outcome: event === 'expired' || event === 'cancelled' ? 'warning' : 'error', title: text[event].title, description: text[event].body, flowId: topupFlow.id(p.id) });
}

export function adminEmbed(p: Payment, detail: string): APIEmbed {
  return guildflowEmbed({
    outcome: 'warning',
    title: 'Top-up needs an admin',
    description: `<@${p.userId}> · payment ${p.id} (${rupiah(p.amount)}, ${p.provider} ${p.providerTransactionId ?? '-'})\n${detail}`,
    flowId: topupFlow.id(p.id),
  });
}

/** A top-up refused before it existed (the member's hourly limit): nothing was created or charged. */
export function limitEmbed(paymentId: string, reason: string): APIEmbed {
  return guildflowEmbed({ outcome: 'error', title: 'Top-up not started', description: `${reason}\n\nNothing was charged.`, flowId: topupFlow.id(paymentId) });
}
