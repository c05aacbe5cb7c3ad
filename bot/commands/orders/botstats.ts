import { MessageFlags } from 'discord.js';
import { stockCounts } from '../../../activities/codes/stock';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { PrismaClient } from '../../../prisma/client';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { botstatsData } from './definitions';

export interface DayStats {
  day: string;
  orders: number;
  revenue: bigint;
  topups: number;
  toppedUp: bigint;
}

/** Completed orders and their revenue, settled top-ups and their amount, per UTC day, newest first. */
async function dailyStats(prisma: PrismaClient, guildId: string, days: number): Promise<DayStats[]> {
  const rows = await prisma.$queryRaw<{ day: Date; orders: bigint; revenue: bigint | null; topups: bigint; topped_up: bigint | null }[]>`
    WITH d AS (SELECT generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${days - 1}), date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS day)
    SELECT d.day,
      (SELECT count(*) FROM code_orders o WHERE o.guild_id = ${guildId} AND o.status = 'completed' AND date_trunc('day', o.completed_at AT TIME ZONE 'UTC') = d.day) AS orders,
      (SELECT sum(o.price) FROM code_orders o WHERE o.guild_id = ${guildId} AND o.status = 'completed' AND date_trunc('day', o.completed_at AT TIME ZONE 'UTC') = d.day)::bigint AS revenue,
      (SELECT count(*) FROM payments p WHERE p.guild_id = ${guildId} AND p.status = 'settled' AND date_trunc('day', p.credited_at AT TIME ZONE 'UTC') = d.day) AS topups,
      (SELECT sum(p.amount) FROM payments p WHERE p.guild_id = ${guildId} AND p.status = 'settled' AND date_trunc('day', p.credited_at AT TIME ZONE 'UTC') = d.day)::bigint AS topped_up
    FROM d ORDER BY d.day DESC`;
  return rows.map((r) => ({ day: r.day.toISOString().slice(0, 10), orders: Number(r.orders), revenue: r.revenue ?? 0n, topups: Number(r.topups), toppedUp: r.topped_up ?? 0n }));
}

/** `/botstats [days]` (admins): per-day orders, revenue and top-ups, and the stock now. */
export const botstatsCommand: Command = {
  level: 'admin',
  data: botstatsData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const days = Math.min(31, Math.max(1, interaction.options.getInteger('days') ?? 7));
    const [stats, stock, asset] = await Promise.all([dailyStats(prisma, guildId, days), stockCounts(prisma, guildId), assetLabel(prisma, guildId, 'currency')]);
    const lines = stats.map((d) => `\`${d.day}\` · ${d.orders} order${d.orders === 1 ? '' : 's'} · ${formatAmount(asset, d.revenue)} · ${d.topups} top-up${d.topups === 1 ? '' : 's'} (Rp ${d.toppedUp.toLocaleString('en-US')})`);
    const total = stats.reduce((a, d) => ({ orders: a.orders + d.orders, revenue: a.revenue + d.revenue, topups: a.topups + d.topups }), { orders: 0, revenue: 0n, topups: 0 });
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [
        guildflowEmbed({
          outcome: 'info',
          title: `Code shop, last ${days} day${days === 1 ? '' : 's'}`,
          description: lines.join('\n'),
          fields: [
            { name: 'Orders', value: String(total.orders), inline: true },
            { name: 'Revenue', value: formatAmount(asset, total.revenue), inline: true },
            { name: 'Top-ups', value: String(total.topups), inline: true },
            { name: 'Stock', value: `${stock.available} available · ${stock.reserved} reserved · ${stock.delivered} delivered` },
          ],
        }),
      ],
    });
  },
};
