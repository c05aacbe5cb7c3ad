import type { DiscordMessage } from '../discord';
import { formatAmount } from '../../lib/discord/amounts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { depositWorkflowId, withdrawWorkflowId, type PetLine, type PetVariant } from '../../lib/flows/trades';
import type { PrismaClient } from '../../prisma/client';
import { assetLabel } from '../shop/messages';
import { petLabel } from './pets';

/** What members read about their deposits and withdrawals (built by activities, not by the workflows). */

async function petLines(prisma: PrismaClient, guildId: string, lines: PetLine[]): Promise<string[]> {
  const species = new Map((await prisma.petSpecies.findMany({ where: { guildId, id: { in: lines.map((l) => l.speciesId) } } })).map((s) => [s.id, s]));
  return lines.map((l) => {
    const s = species.get(l.speciesId);
    return `${l.quantity} × ${petLabel({ name: s?.name ?? `pet #${l.speciesId}`, emoji: s?.emoji, variant: l.variant as PetVariant })}`;
  });
}

async function what(prisma: PrismaClient, guildId: string, gems: bigint, lines: PetLine[]): Promise<string> {
  const parts = await petLines(prisma, guildId, lines);
  if (gems > 0n) parts.unshift(formatAmount(await assetLabel(prisma, guildId, 'gems'), gems));
  return parts.length ? parts.map((p) => `• ${p}`).join('\n') : '• nothing';
}

export async function depositReceipt(prisma: PrismaClient, depositId: string, lines: PetLine[]): Promise<DiscordMessage> {
  const d = await prisma.gameDeposit.findUniqueOrThrow({ where: { id: depositId } });
  return {
    embeds: [
      guildflowEmbed({
        outcome: 'success',
        title: 'Deposit received',
        description: `Your deposit from the Roblox game is in your Guildflow inventory:\n${await what(prisma, d.guildId, d.gems, lines)}\n\nSee it with /inventory.`,
        flowId: depositWorkflowId(depositId),
      }),
    ],
  };
}

const TITLES: Record<string, string> = {
  delivered: 'Withdrawal delivered',
  partial: 'Withdrawal partly delivered',
  cancelled: 'Withdrawal cancelled',
  expired: 'Withdrawal expired',
  failed: 'Withdrawal not delivered',
  refused: 'Withdrawal refused',
};

export async function withdrawalMessage(prisma: PrismaClient, withdrawalId: string): Promise<DiscordMessage> {
  const w = await prisma.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } });
  const escrowed = w.pets as unknown as PetLine[];
  const delivered = (w.deliveredPets ?? []) as unknown as PetLine[];
  const deliveredGems = w.deliveredGems ?? 0n;
  const returned = escrowed
    .map((l) => ({ ...l, quantity: l.quantity - (delivered.find((d) => d.speciesId === l.speciesId && d.variant === l.variant)?.quantity ?? 0) }))
    .filter((l) => l.quantity > 0);
  const lines: string[] = [];
  if (w.status === 'delivered' || w.status === 'partial') lines.push(`Delivered in the game:\n${await what(prisma, w.guildId, deliveredGems, delivered)}`);
  if (w.status !== 'delivered' && w.status !== 'refused') lines.push(`Back in your inventory:\n${await what(prisma, w.guildId, w.gems - deliveredGems, returned)}`);
  if (w.reason) lines.push(w.status === 'refused' ? w.reason : `Reason: ${w.reason}`);
  if (w.status === 'refused') lines.push('Nothing was moved.');
  const outcome = w.status === 'delivered' ? 'success' : w.status === 'partial' || w.status === 'expired' || w.status === 'cancelled' ? 'warning' : 'error';
  return { embeds: [guildflowEmbed({ outcome, title: TITLES[w.status] ?? 'Withdrawal', description: lines.join('\n\n'), flowId: withdrawWorkflowId(withdrawalId) })] };
}
