import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { adjustBalance, currencyOf, formatDuration, getEconomySettings, updateEconomySettings, type EconomySettings } from '../../../activities/economy';
import type { EconomySettingsChange } from '../../../lib/requests/economy';
import { createLedger, type Asset } from '../../../activities/ledger';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { ValidationError } from '../../../lib/errors';
import type { BotDeps } from '../../deps';
import type { Command } from '../../command';
import { economyData } from './definitions';
import { guildIdOf } from '../../interaction';

/** The settings as an admin reads them. */
function settingsFields(settings: EconomySettings, currency: Asset): { name: string; value: string; inline?: boolean }[] {
  return [
    { name: 'Daily reward', value: formatAmount(currency, settings.dailyAmount), inline: true },
    { name: 'Cooldown', value: formatDuration(settings.dailyCooldownSeconds), inline: true },
    {
      name: 'Streak bonus',
      value: `${formatAmount(currency, settings.dailyStreakBonus)} per day in a row, at most ${settings.dailyStreakMax} times`,
      inline: true,
    },
    { name: 'Streak grace', value: formatDuration(settings.dailyStreakGraceSeconds), inline: true },
    { name: 'Currency', value: `${currency.emoji} ${currency.name}`, inline: true },
    { name: 'Admin balance changes', value: `${settings.adminAdjustLimitPerMinute} per admin per minute`, inline: true },
  ];
}

/** The change the options ask for (hours become seconds); the service validates it. */
function settingsChange(interaction: ChatInputCommandInteraction): EconomySettingsChange {
  const o = interaction.options;
  const int = (name: string) => o.getInteger(name) ?? undefined;
  const hours = (name: string) => {
    const h = o.getNumber(name);
    return h === null ? undefined : Math.round(h * 3600);
  };
  const big = (name: string) => {
    const n = int(name);
    return n === undefined ? undefined : BigInt(n);
  };
  const change: Record<string, unknown> = {
    dailyAmount: big('daily_amount'),
    dailyCooldownSeconds: hours('cooldown_hours'),
    dailyStreakBonus: big('streak_bonus'),
    dailyStreakMax: int('streak_max'),
    dailyStreakGraceSeconds: hours('streak_grace_hours'),
    currencyName: o.getString('currency_name') ?? undefined,
    currencyEmoji: o.getString('currency_emoji') ?? undefined,
    adminAdjustLimitPerMinute: int('adjust_limit'),
  };
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as EconomySettingsChange;
}

async function adjust(interaction: ChatInputCommandInteraction, { prisma }: BotDeps, direction: 'add' | 'remove'): Promise<void> {
  const guildId = guildIdOf(interaction);
  const target = interaction.options.getUser('user', true);
  const amount = BigInt(interaction.options.getInteger('amount', true));
  const reason = interaction.options.getString('reason', true);
  if (target.bot) throw new ValidationError('Bots do not have balances; choose a member.');
  if (amount <= 0n) throw new ValidationError(`The amount must be a positive number${direction === 'add' ? ' (use /economy remove to take some away)' : ''}.`);
  const result = await adjustBalance(prisma, {
    guildId,
    actor: { type: 'user', id: interaction.user.id },
    userId: target.id,
    amount: direction === 'add' ? amount : -amount,
    reason,
    key: `discord:${interaction.id}`,
  });
  const { currency } = result;
  await interaction.reply({
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'success',
        title: direction === 'add' ? 'Balance increased' : 'Balance reduced',
        description: [
          `${direction === 'add' ? 'Added' : 'Removed'} **${formatAmount(currency, amount)}** ${direction === 'add' ? 'to' : 'from'} <@${target.id}>.`,
          `New balance: ${formatAmount(currency, result.balance)}`,
          `Reason: ${result.entry.reason ?? reason}`,
        ].join('\n'),
      }),
    ],
  });
}

/** `/economy add|remove|settings` (admins). Balance changes count against the per-admin rate limit. */
export const economyCommand: Command = {
  level: 'admin',
  data: economyData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    const sub = interaction.options.getSubcommand();
    if (sub === 'add' || sub === 'remove') return adjust(interaction, deps, sub);

    const change = settingsChange(interaction);
    let settings: EconomySettings;
    let currency: Asset;
    const changed = Object.keys(change).length > 0;
    if (changed) {
      ({ settings, currency } = await updateEconomySettings(deps.prisma, { guildId, actor: { type: 'user', id: interaction.user.id }, change }));
    } else {
      [settings, currency] = await Promise.all([getEconomySettings(deps.prisma, guildId), currencyOf(createLedger(deps.prisma), guildId)]);
    }
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [
        guildflowEmbed({
          outcome: changed ? 'success' : 'info',
          title: changed ? 'Economy settings updated' : 'Economy settings',
          ...(changed ? {} : { description: 'Change any of them with the options of /economy settings.' }),
          fields: settingsFields(settings, currency),
        }),
      ],
    });
  },
};
