import { MessageFlags } from 'discord.js';
import { ensurePackages, setPackage } from '../../../activities/codes/packages';
import { getCodeShopSettings, importCodes, stockCounts, type ImportReport } from '../../../activities/codes/stock';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { stockData } from './definitions';

const MAX_FILE_BYTES = 1024 * 1024;

/** Reads a .txt attachment (≤ 1 MiB, text/plain or .txt). */
async function readTextAttachment(att: { name: string; size: number; url: string; contentType?: string | null }): Promise<string> {
  if (!att.name.toLowerCase().endsWith('.txt') && !(att.contentType ?? '').startsWith('text/plain')) throw new AppError('invalid_input', 'Attach a .txt file with one code per line.');
  if (att.size > MAX_FILE_BYTES) throw new AppError('invalid_input', 'The file is over 1 MiB: split it into smaller files.');
  const res = await fetch(att.url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new AppError('attachment_unavailable', `Discord did not give the file (HTTP ${res.status}); try again.`, 502);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_FILE_BYTES) throw new AppError('invalid_input', 'The file is over 1 MiB: split it into smaller files.');
  return buf.toString('utf8');
}

function importReportText(r: ImportReport): string {
  const lines = [`**Added:** ${r.added}`, `**Duplicates (skipped):** ${r.duplicates}`, `**Invalid (skipped):** ${r.invalid.length}`];
  if (r.invalid.length) {
    const shown = r.invalid.slice(0, 15).map((i) => `line ${i.line}: ${i.reason}`);
    lines.push(...shown, ...(r.invalid.length > 15 ? [`…and ${r.invalid.length - 15} more`] : []));
  }
  lines.push(`**Available now:** ${r.available}`);
  return lines.join('\n');
}

/**
 * `/stock add|view|package` (admins): codes are encrypted as they are stored and never shown back —
 * the report names line numbers, view shows counts only.
 */
export const stockCommand: Command = {
  level: 'admin',
  data: stockData,
  async handle(interaction, deps) {
    const { prisma, codes: keyring } = deps;
    const guildId = guildIdOf(interaction);
    const sub = interaction.options.getSubcommand();
    const reply = (title: string, description: string, outcome: 'success' | 'info' = 'success') =>
      interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome, title, description })] });
    if (sub === 'settings') {
      const low = interaction.options.getInteger('low_stock');
      const wait = interaction.options.getInteger('topup_wait_minutes');
      const timeout = interaction.options.getInteger('delivery_timeout_hours');
      const ordersPerHour = interaction.options.getInteger('orders_per_hour');
      const topupsPerHour = interaction.options.getInteger('topups_per_hour');
      const redeliveries = interaction.options.getInteger('redeliveries_per_day');
      if (low !== null && (low < 0 || low > 100_000)) throw new AppError('invalid_input', 'low_stock must be from 0 to 100000.');
      if (wait !== null && (wait < 1 || wait > 1440)) throw new AppError('invalid_input', 'topup_wait_minutes must be from 1 to 1440.');
      if (timeout !== null && (timeout < 1 || timeout > 168)) throw new AppError('invalid_input', 'delivery_timeout_hours must be from 1 to 168.');
      if (ordersPerHour !== null && (ordersPerHour < 0 || ordersPerHour > 1000)) throw new AppError('invalid_input', 'orders_per_hour must be from 0 (unlimited) to 1000.');
      if (topupsPerHour !== null && (topupsPerHour < 0 || topupsPerHour > 1000)) throw new AppError('invalid_input', 'topups_per_hour must be from 0 (unlimited) to 1000.');
      if (redeliveries !== null && (redeliveries < 0 || redeliveries > 100)) throw new AppError('invalid_input', 'redeliveries_per_day must be from 0 to 100.');
      await getCodeShopSettings(prisma, guildId);
      const s = await prisma.codeShopSettings.update({
        where: { guildId },
        data: {
          ...(low !== null ? { lowStockThreshold: low } : {}),
          ...(wait !== null ? { topupWaitSeconds: wait * 60 } : {}),
          ...(timeout !== null ? { deliveryTimeoutSeconds: timeout * 3600 } : {}),
          // 0 is stored as null: unlimited.
          ...(ordersPerHour !== null ? { ordersPerMemberPerHour: ordersPerHour || null } : {}),
          ...(topupsPerHour !== null ? { topupsPerMemberPerHour: topupsPerHour || null } : {}),
          ...(redeliveries !== null ? { redeliveriesPerDay: redeliveries } : {}),
        },
      });
      await prisma.auditEvent.create({
        data: { guildId, actorType: 'user', actorId: `discord:${interaction.user.id}`, action: 'code_shop_settings.updated', targetType: 'code_shop_settings', targetId: guildId, data: { low, wait, timeout, ordersPerHour, topupsPerHour, redeliveries } },
      });
      await reply(
        'Code shop settings',
        [
          `**Low-stock alert at:** ${s.lowStockThreshold}`,
          `**Orders wait for a top-up:** ${Math.round(s.topupWaitSeconds / 60)} minutes`,
          `**Delivery retried for:** ${Math.round(s.deliveryTimeoutSeconds / 3600)} hours`,
          `**Orders per member per hour:** ${s.ordersPerMemberPerHour ?? 'unlimited'}`,
          `**Top-ups per member per hour:** ${s.topupsPerMemberPerHour ?? 'unlimited'}`,
          `**Codes sent again per member per day:** ${s.redeliveriesPerDay}`,
        ].join('\n'),
      );
      return;
    }
    if (sub === 'view') {
      const counts = await stockCounts(prisma, guildId);
      const settings = await getCodeShopSettings(prisma, guildId);
      const packages = await ensurePackages(prisma, guildId);
      const asset = await assetLabel(prisma, guildId, 'currency');
      const pk = packages.map((p) => `${p.quantity} code${p.quantity === 1 ? '' : 's'} — ${formatAmount(asset, p.price)}${p.active ? '' : ' (paused)'}`);
      await reply(
        'Code stock',
        [`**Available:** ${counts.available}`, `**Reserved by orders:** ${counts.reserved}`, `**Delivered:** ${counts.delivered}`, `**Low-stock alert at:** ${settings.lowStockThreshold}`, '', '**Packages**', ...pk].join('\n'),
        'info',
      );
      return;
    }
    if (sub === 'package') {
      const quantity = interaction.options.getInteger('codes', true);
      const price = interaction.options.getInteger('price', true);
      const active = interaction.options.getBoolean('active');
      const p = await setPackage(prisma, guildId, { quantity, price: BigInt(price), ...(active === null ? {} : { active }) });
      const asset = await assetLabel(prisma, guildId, p.assetCode);
      await reply('Package saved', `${p.quantity} code${p.quantity === 1 ? '' : 's'} for ${formatAmount(asset, p.price)}${p.active ? '' : ' (paused)'}.`);
      return;
    }
    if (!keyring) throw new AppError('code_shop_disabled', 'The code shop is not set up on this Guildflow: an operator must set CODE_ENCRYPTION_KEY.');
    const text = interaction.options.getString('codes');
    const file = interaction.options.getAttachment('file');
    if (!text && !file) throw new AppError('invalid_input', 'Give the codes as text or attach a .txt file.');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const body = [text ? text.split(/\s+/).join('\n') : '', file ? await readTextAttachment(file) : ''].join('\n');
    const report = await importCodes(prisma, keyring, guildId, body);
    await interaction.editReply({ allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: report.added ? 'success' : 'warning', title: 'Codes imported', description: importReportText(report) })] });
  },
};
