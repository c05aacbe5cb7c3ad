import { MessageFlags, Routes, type ChatInputCommandInteraction, type Interaction, type ModalSubmitInteraction } from 'discord.js';
import {
  VERIFY_CANCEL,
  VERIFY_CHECK,
  VERIFY_MODAL,
  VERIFY_PANEL,
  checkUsername,
  findLink,
  getVerifySettings,
  parseVerifyKey,
  parseVerifySettingsChange,
  renderVerifyView,
  updateVerifySettings,
} from '../../../activities/verify';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { LinkSnapshot, UnverifyResult, VerifyView } from '../../../lib/flows/verify';
import { runUnverify, startOrShowVerification, startVerificationRun, updateVerification, verificationOutcome } from '../../../lib/flows/verify.client';
import type { BotDeps } from '../../deps';
import type { Command, ComponentHandler } from '../../command';
import { unverifyData, verifyAdminData, verifyData, whoisData } from './definitions';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

const replyOf = (interaction: Interaction) => ({ applicationId: interaction.applicationId, interactionToken: 'token' in interaction ? (interaction.token as string) : '' });
const memberName = (interaction: Interaction) => interaction.user.globalName ?? interaction.user.username;
const asEdit = (view: VerifyView) => {
  const m = renderVerifyView(view);
  return { content: '', embeds: m.embeds ?? [], components: m.components ?? [], allowedMentions: { parse: [] } };
};

/** /verify and the panel's modal: acknowledge at once, then start or join the member's verification. */
async function beginVerification(interaction: ChatInputCommandInteraction | ModalSubmitInteraction, username: string, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const name = checkUsername(username);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const view = await startOrShowVerification(deps, { guildId, userId: interaction.user.id, username: name, memberName: memberName(interaction), reply: replyOf(interaction) });
  deps.log.info({ workflowId: view.workflowId, phase: view.phase }, 'verification shown');
  await interaction.editReply(asEdit(view));
}

export const verifyCommand: Command = {
  data: verifyData,
  async handle(interaction, deps) {
    await beginVerification(interaction, interaction.options.getString('username', true), deps);
  },
};

/** Check / Cancel on the phrase message: only the member it belongs to; the answer replaces the message. */
function flowButton(action: string, send: 'check' | 'cancel'): ComponentHandler {
  return {
    action,
    async handle(interaction, key, deps) {
      const target = parseVerifyKey(key);
      if (!interaction.isButton() || !target) throw new AppError('invalid_component', 'This is not a verification button.');
      if (target.userId !== interaction.user.id) throw new AppError('forbidden', 'This verification belongs to another member: use /verify for your own.');
      await interaction.deferUpdate();
      const view = await updateVerification(deps.temporal, target.guildId, target.userId, send, send === 'check' ? replyOf(interaction) : null);
      await interaction.editReply(asEdit(view));
    },
  };
}
export const verifyCheckButton = flowButton(VERIFY_CHECK, 'check');
export const verifyCancelButton = flowButton(VERIFY_CANCEL, 'cancel');

/** The panel's Verify button: a modal asking for the Roblox username. */
export const verifyPanelButton: ComponentHandler = {
  action: VERIFY_PANEL,
  async handle(interaction) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not the Verify button.');
    await interaction.showModal({
      custom_id: customId(VERIFY_MODAL),
      title: 'Verify your Roblox account',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'username', label: 'Your Roblox username', style: 1, min_length: 3, max_length: 20, required: true }] }],
    });
  },
};

export const verifyModal: ComponentHandler = {
  action: VERIFY_MODAL,
  async handle(interaction, _key, deps) {
    if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not the verification form.');
    await beginVerification(interaction, interaction.fields.getTextInputValue('username'), deps);
  },
};

function describeUnverify(result: UnverifyResult, whose: string): string {
  if (result.status === 'not_linked') return `${whose} no linked Roblox account: nothing to do.`;
  const lines = [`Unlinked from the Roblox account **${result.link!.robloxName}**.`];
  if (result.roleRemoved) lines.push('The verified role was removed.');
  if (result.unverifiedRoleGiven) lines.push('The unverified role was given back.');
  if (result.nicknameRestored) lines.push(`The nickname is back to ${result.link!.nicknameBefore ? `**${result.link!.nicknameBefore}**` : 'none'}.`);
  if (result.problems.length) lines.push('', ...result.problems, 'The admins were told.');
  return lines.join('\n');
}

export const unverifyCommand: Command = {
  data: unverifyData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await runUnverify(deps, { guildId, userId: interaction.user.id, actorId: `discord:${interaction.user.id}`, summary: `/unverify by ${memberName(interaction)} (${interaction.user.id})` });
    await interaction.editReply({
      allowedMentions: { parse: [] },
      embeds: [guildflowEmbed({ outcome: result.status === 'removed' ? (result.problems.length ? 'warning' : 'success') : 'info', title: 'Unverify', description: describeUnverify(result, 'You have') })],
    });
  },
};

const linkLine = (link: LinkSnapshot) =>
  `<@${link.userId}> is linked to the Roblox account **${link.robloxName}**${link.robloxDisplayName !== link.robloxName ? ` (${link.robloxDisplayName})` : ''} — id ${link.robloxId}, verified <t:${Math.floor(Date.parse(link.verifiedAt) / 1000)}:R>.`;

export const whoisCommand: Command = {
  data: whoisData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const user = interaction.options.getUser('user', true);
    const link = await findLink(prisma, guildId, user.id);
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      embeds: [guildflowEmbed({ outcome: 'info', title: `Who is ${user.username}?`, description: link ? linkLine(link) : `<@${user.id}> has not linked a Roblox account.` })],
    });
  },
};

export const verifyAdminCommand: Command = {
  level: 'admin',
  data: verifyAdminData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    const sub = interaction.options.getSubcommand();
    const reply = (outcome: 'success' | 'info' | 'warning' | 'error', title: string, description: string) =>
      interaction.editReply({ allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome, title, description })] });
    if (sub === 'settings') {
      const o = interaction.options;
      const change: Record<string, unknown> = {};
      const verified = o.getRole('verified_role');
      if (verified) change.verifiedRoleId = verified.id;
      const unverified = o.getRole('unverified_role');
      if (unverified) change.unverifiedRoleId = unverified.id;
      const nickname = o.getString('nickname');
      if (nickname !== null) change.nicknameTemplate = nickname.trim().toLowerCase() === 'none' ? null : nickname;
      const words = o.getInteger('phrase_words');
      if (words !== null) change.phraseWords = words;
      const expiry = o.getInteger('expiry_minutes');
      if (expiry !== null) change.expirySeconds = expiry * 60;
      const checks = o.getInteger('checks_per_minute');
      if (checks !== null) change.checksPerMinute = checks;
      await requireInInteractionGuild(interaction, { roles: { verified_role: verified?.id, unverified_role: unverified?.id } });
      const settings = Object.keys(change).length
        ? await updateVerifySettings(deps.prisma, guildId, parseVerifySettingsChange(change), { actorType: 'user', actorId: `discord:${interaction.user.id}` })
        : await getVerifySettings(deps.prisma, guildId);
      const lines = [
        `**Verified role:** ${settings.verifiedRoleId ? `<@&${settings.verifiedRoleId}>` : 'none'}`,
        `**Unverified role:** ${settings.unverifiedRoleId ? `<@&${settings.unverifiedRoleId}>` : 'none'}`,
        `**Nickname:** ${settings.nicknameTemplate ?? 'left alone'}`,
        `**Phrase:** ${settings.phraseWords} words · **expires after** ${Math.round(settings.expirySeconds / 60)} min · **checks:** ${settings.checksPerMinute}/min`,
      ];
      await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'info', title: 'Verification settings', description: lines.join('\n') })] });
      return;
    }
    const user = interaction.options.getUser('user', true);
    if (sub === 'whois') {
      const link = await findLink(deps.prisma, guildId, user.id);
      const recent = await deps.prisma.verification.findMany({ where: { guildId, userId: user.id }, orderBy: { createdAt: 'desc' }, take: 5 });
      const lines = [
        link ? linkLine(link) : `<@${user.id}> has not linked a Roblox account.`,
        ...(link ? [`Method: ${link.method === 'admin' ? `admin (${link.linkedBy})` : 'profile phrase'} · flow \`${link.workflowId}\``] : []),
        ...(recent.length ? ['', '**Recent attempts**', ...recent.map((v) => `<t:${Math.floor(v.createdAt.getTime() / 1000)}:f> ${v.robloxName ?? '?'} — ${v.status}${v.reason ? `: ${v.reason.split('\n')[0]}` : ''}`)] : []),
      ];
      await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'info', title: `Verification of ${user.username}`, description: lines.join('\n') })] });
      return;
    }
    if (sub === 'remove') {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const result = await runUnverify(deps, { guildId, userId: user.id, actorId: `discord:${interaction.user.id}`, summary: `/verify-admin remove ${user.username} by ${memberName(interaction)}` });
      await reply(result.status === 'removed' ? 'success' : 'info', `Unverify ${user.username}`, describeUnverify(result, `<@${user.id}> has`));
      return;
    }
    // force
    const username = checkUsername(interaction.options.getString('username', true));
    if (user.bot) throw new AppError('invalid_input', 'Bots cannot be verified.');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const run = await startVerificationRun(deps, {
      guildId,
      userId: user.id,
      username,
      method: 'admin',
      linkedBy: `discord:${interaction.user.id}`,
      override: interaction.options.getBoolean('override') ?? false,
      summary: `Roblox link of ${user.username} (${user.id}) to ${username} by admin ${memberName(interaction)}`,
      replacePending: true,
    });
    const view = await verificationOutcome(deps.temporal, run);
    await interaction.editReply(asEdit(view));
  },
};

/** `/setup verification [channel]`: posts the Verify panel (a button → modal asking the Roblox username). */
export async function postVerifyPanel(interaction: ChatInputCommandInteraction, { log }: BotDeps): Promise<void> {
  guildIdOf(interaction);
  const channel = interaction.options.getChannel('channel') ?? interaction.channel;
  if (!channel) throw new AppError('invalid_input', 'Name a text channel for the panel.');
  await requireInInteractionGuild(interaction, { channels: { channel: channel.id } });
  const message = (await interaction.client.rest.post(Routes.channelMessages(channel.id), {
    body: {
      embeds: [
        guildflowEmbed({
          outcome: 'info',
          title: 'Verify your Roblox account',
          description: 'Press **Verify** and give your Roblox username. You will get a phrase to put in your Roblox profile; Guildflow checks it and gives you the verified role.',
        }),
      ],
      components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Verify', custom_id: customId(VERIFY_PANEL) }] }],
    },
  })) as { id: string };
  log.info({ channelId: channel.id, messageId: message.id }, 'verify panel posted');
  await interaction.reply({ flags: MessageFlags.Ephemeral, content: `The Verify panel is posted in <#${channel.id}>.`, allowedMentions: { parse: [] } });
}
