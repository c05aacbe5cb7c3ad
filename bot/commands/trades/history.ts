import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { PetLine } from '../../../lib/flows/trades';
import type { PrismaClient } from '../../../prisma/client';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { historyData } from './definitions';
import { ephemeral } from './shared';

/** `/history`: the member's recent deposits and withdrawals (the admins' /trades view shows everyone's). */

export async function historyLines(prisma: PrismaClient, guildId: string, where: { userId?: string }, take = 10): Promise<string[]> {
  const [deps, wds] = await Promise.all([
    prisma.gameDeposit.findMany({ where: { guildId, ...where }, orderBy: { createdAt: 'desc' }, take }),
    prisma.withdrawal.findMany({ where: { guildId, ...where }, orderBy: { createdAt: 'desc' }, take }),
  ]);
  const ts = (d: Date) => `<t:${Math.floor(d.getTime() / 1000)}:R>`;
  return [
    ...deps.map((d) => ({ at: d.createdAt, line: `${ts(d.createdAt)} deposit ${d.tradeId}: ${d.gems} gems, ${(d.pets as unknown[]).length} pet lines · **${d.status}**${d.reason ? ` (${d.reason})` : ''}${where.userId ? '' : d.userId ? ` <@${d.userId}>` : ''}` })),
    ...wds.map((w) => ({ at: w.createdAt, line: `${ts(w.createdAt)} withdrawal \`${w.id}\`: ${w.gems} gems, ${(w.pets as unknown as PetLine[]).reduce((s, p) => s + p.quantity, 0)} pets · **${w.status}**${where.userId ? '' : ` <@${w.userId}>`}` })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, take)
    .map((x) => x.line);
}

export const historyCommand: Command = {
  data: historyData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const lines = await historyLines(prisma, guildId, { userId: interaction.user.id });
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'info', title: 'Your trades', description: lines.length ? lines.join('\n') : 'No deposits or withdrawals yet.' })));
  },
};
