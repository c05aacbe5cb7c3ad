import type { APIEmbed } from 'discord-api-types/v10';
import { formatAmount } from '../../lib/discord/amounts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { orderFlow } from '../../lib/flows/orders';
import type { CodeOrder } from '../../prisma/client';
import type { AssetLabel } from '../shop/messages';

const pkgLabel = (o: Pick<CodeOrder, 'quantity'>) => `${o.quantity} code${o.quantity === 1 ? '' : 's'}`;
/** Up to this many codes are written in the message; more go in a .txt file. */
const INLINE_CODES = 10;

export function deliveryMessage(o: CodeOrder, codes: string[]): { embeds: APIEmbed[]; files?: { name: string; data: string }[] } {
  const inline = codes.length <= INLINE_CODES;
  const embed = guildflowEmbed({
    outcome: 'success',
    title: `Your ${pkgLabel(o)}`,
    description: inline
      ? `Here ${codes.length === 1 ? 'is your code' : 'are your codes'} (order ${o.id}):\n\`\`\`\n${codes.join('\n')}\n\`\`\`\nKeep ${codes.length === 1 ? 'it' : 'them'} private.`
      : `Your ${codes.length} codes are in the attached file (order ${o.id}). Keep them private.`,
    flowId: orderFlow.id(o.id),
  });
  return inline ? { embeds: [embed] } : { embeds: [embed], files: [{ name: `codes-${o.id}.txt`, data: `${codes.join('\n')}\n` }] };
}

export function completedEmbed(o: CodeOrder, asset: AssetLabel, via: string): APIEmbed {
  const where = via === 'dm' ? 'by direct message' : 'in a private message here (your DMs are closed)';
  return guildflowEmbed({ outcome: 'success', title: 'Order complete', description: `You bought **${pkgLabel(o)}** for **${formatAmount(asset, o.price)}**. Your codes were sent ${where}.`, flowId: orderFlow.id(o.id) });
}

/** An order refused before it existed (package gone, price changed): nothing was reserved or charged. */
export function refusedEmbed(orderId: string, reason: string): APIEmbed {
  return guildflowEmbed({ outcome: 'error', title: 'Order not placed', description: `${reason}\n\nNothing was charged: your balance is as it was.`, flowId: orderFlow.id(orderId) });
}

export function failedEmbed(o: Pick<CodeOrder, 'id' | 'quantity'>, reason: string): APIEmbed {
  return guildflowEmbed({ outcome: 'error', title: `Order failed: ${pkgLabel(o)}`, description: `${reason}\n\nNothing was charged: your balance is as it was.`, flowId: orderFlow.id(o.id) });
}

export function awaitingFundsEmbed(o: CodeOrder, asset: AssetLabel, available: bigint, waitSeconds: number): APIEmbed {
  return guildflowEmbed({
    outcome: 'pending',
    title: `Not enough balance for ${pkgLabel(o)}`,
    description: `The order costs **${formatAmount(asset, o.price)}** and you have **${formatAmount(asset, available)}** available. Top up with /topup (or the Top up button): the order goes ahead by itself as soon as your balance is enough, for the next ${Math.round(waitSeconds / 60)} minutes.`,
    flowId: orderFlow.id(o.id),
  });
}

export function needsAdminEmbed(o: CodeOrder, detail: string): APIEmbed {
  return guildflowEmbed({
    outcome: 'warning',
    title: 'Order needs an admin',
    description: `<@${o.userId}> · order ${o.id} (${pkgLabel(o)}): ${detail}\nThe codes stay with the order and the funds stay held. Use /orders process ${o.id} retry|complete|refund.`,
    flowId: orderFlow.id(o.id),
  });
}

export function lowStockEmbed(available: number, threshold: number): APIEmbed {
  return guildflowEmbed({ outcome: 'warning', title: 'Code stock is low', description: `Only **${available}** code${available === 1 ? '' : 's'} left (alert at ${threshold}). Add more with /stock add.` });
}
