import { MessageFlags, Routes, type APIChannel, type APIEmbed, type APIGuildMember, type APIRole, type ChatInputCommandInteraction } from 'discord.js';
import { embedsInMessages, guildflowEmbed } from '../../../lib/discord/embeds';
import { checkSetup, type CheckChannel, type FeatureNeeds, type FeatureReport } from '../../../lib/discord/setup-check';
import type { PrismaClient } from '../../../prisma/client';
import type { BotDeps } from '../../deps';

/** What every feature needs in this guild, from its settings rows (only what is configured). */
async function featureNeeds(prisma: PrismaClient, guildId: string): Promise<FeatureNeeds[]> {
  const [settings, verification, binds, tasks, taskRoles, shopRoles, announcements, syncChannels] = await Promise.all([
    prisma.guildSettings.findUnique({ where: { guildId } }),
    prisma.verificationSettings.findUnique({ where: { guildId } }),
    prisma.robloxGroupBind.findMany({ where: { guildId }, orderBy: { id: 'asc' } }),
    prisma.taskSettings.findUnique({ where: { guildId } }),
    prisma.task.findMany({ where: { guildId, deletedAt: null, roleId: { not: null } }, select: { name: true, roleId: true }, orderBy: { id: 'asc' } }),
    prisma.shopItem.findMany({ where: { guildId, deletedAt: null, roleId: { not: null } }, select: { name: true, roleId: true }, orderBy: { id: 'asc' } }),
    prisma.announcement.findMany({ where: { guildId, status: 'scheduled' }, select: { title: true, channelId: true, pin: true, pingRoleId: true }, orderBy: { createdAt: 'asc' } }),
    prisma.syncChannel.findMany({ where: { guildId }, orderBy: { entityType: 'asc' } }),
  ]);
  const verificationRoles = [
    ...(settings?.verifiedRoleId ? [{ roleId: settings.verifiedRoleId, use: 'verified role' }] : []),
    ...(settings?.unverifiedRoleId ? [{ roleId: settings.unverifiedRoleId, use: 'unverified role' }] : []),
    ...binds.map((b) => ({ roleId: b.roleId, use: `role bound to Roblox group ${b.groupId} (ranks ${b.minRank}–${b.maxRank})` })),
  ];
  // No settings row yet means the default template, which renames members.
  const renames = (verificationRoles.length > 0 || verification !== null) && (verification ? verification.nicknameTemplate !== null : true);
  return [
    { feature: 'Admin log', channels: settings?.adminLogChannelId ? [{ channelId: settings.adminLogChannelId, use: 'admin log channel' }] : [], roles: [], permissions: [] },
    {
      feature: 'Verification',
      channels: [],
      roles: verificationRoles,
      permissions: renames ? [{ permission: 'ManageNicknames', use: 'verification sets the nickname template on verified members' }] : [],
    },
    {
      feature: 'Tasks',
      channels: [
        ...(tasks?.taskChannelId ? [{ channelId: tasks.taskChannelId, use: 'task channel' }] : []),
        ...(tasks?.reviewChannelId ? [{ channelId: tasks.reviewChannelId, use: 'review channel' }] : []),
      ],
      roles: taskRoles.map((t) => ({ roleId: t.roleId!, use: `reward role of task “${t.name}”` })),
      permissions: [],
    },
    { feature: 'Shop', channels: [], roles: shopRoles.map((i) => ({ roleId: i.roleId!, use: `role of shop item “${i.name}”` })), permissions: [] },
    {
      feature: 'Announcements',
      channels: announcements.map((a) => ({ channelId: a.channelId, use: `channel of the scheduled announcement “${a.title}”`, pins: a.pin, pingsRoleId: a.pingRoleId })),
      roles: [],
      permissions: [],
    },
    { feature: 'Synced posts', channels: syncChannels.map((s) => ({ channelId: s.channelId, use: `${s.entityType.replace(/_/g, ' ')} channel` })), roles: [], permissions: [] },
  ];
}

const DESCRIPTION_LIMIT = 4096;

/** One embed per feature (its problems as lines, cut to Discord's limit), in as few messages as fit. */
function reportMessages(reports: readonly FeatureReport[]): APIEmbed[][] {
  const embeds = reports.map(({ feature, problems }) => {
    if (!problems.length) return guildflowEmbed({ outcome: 'success', title: `✅ ${feature}`, description: 'Guildflow can do its job here.' });
    const lines: string[] = [];
    for (const [i, p] of problems.entries()) {
      const more = `…and ${problems.length - i} more.`;
      if ([...lines, `• ${p}`].join('\n').length + more.length + 1 > DESCRIPTION_LIMIT) {
        lines.push(more);
        break;
      }
      lines.push(`• ${p}`);
    }
    return guildflowEmbed({ outcome: 'warning', title: `⚠️ ${feature}`, description: lines.join('\n') });
  });
  return embedsInMessages(embeds);
}

/**
 * `/setup check`: for each feature, privately, whether Guildflow can do its job here — its permissions in
 * every configured channel and its role above every role it gives or takes — each problem with its fix.
 */
export async function runSetupCheck(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const guildId = interaction.guildId!;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const rest = interaction.client.rest;
  const botId = interaction.client.user.id;
  const [roles, channels, bot, features] = await Promise.all([
    rest.get(Routes.guildRoles(guildId)) as Promise<APIRole[]>,
    rest.get(Routes.guildChannels(guildId)) as Promise<APIChannel[]>,
    rest.get(Routes.guildMember(guildId, botId)) as Promise<APIGuildMember>,
    featureNeeds(prisma, guildId),
  ]);
  const reports = checkSetup({
    guildId,
    roles: roles.map((r) => ({ id: r.id, name: r.name, position: r.position, permissions: BigInt(r.permissions), mentionable: r.mentionable })),
    channels: channels.map(
      (c): CheckChannel => ({
        id: c.id,
        name: 'name' in c && c.name ? c.name : c.id,
        overwrites: ('permission_overwrites' in c ? (c.permission_overwrites ?? []) : []).map((o) => ({ id: o.id, type: o.type, allow: BigInt(o.allow), deny: BigInt(o.deny) })),
      }),
    ),
    bot: { userId: botId, roleIds: bot.roles },
    features,
  });
  const problems = reports.reduce((n, r) => n + r.problems.length, 0);
  const [first = [], ...more] = reportMessages(reports);
  await interaction.editReply({ content: problems ? `Guildflow found ${problems} problem${problems === 1 ? '' : 's'} in this server's setup:` : 'Guildflow can do every configured job in this server.', embeds: first });
  for (const embeds of more) await interaction.followUp({ embeds, flags: MessageFlags.Ephemeral });
}
