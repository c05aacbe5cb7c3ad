import { createHash } from 'node:crypto';
import type { REST } from '@discordjs/rest';
import { ApplicationFailure } from '@temporalio/common';
import { ChannelType, OverwriteType, PermissionFlagsBits, Routes, type APIChannel, type APIGuild } from 'discord-api-types/v10';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import type { TicketAnswer, TicketMemberChange } from '../../lib/flows/tickets';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { discordNotConfigured, toDiscordFailure } from '../discord/errors';
import { channelMessages, messageFault } from '../discord/messages';
import { guildScope } from '../discord/scope';
import type { DiscordMessage } from '../discord/activities';
import { closedDm, closingMessage, idleWarning, noticeMessage, openedMessage, transcriptMessage, typeLabel } from './messages';
import { getTicketSettings } from './service';
import { buildTranscript, TranscriptChannelMismatch, transcriptFile } from './transcript';

interface TicketRef {
  ticketId: string;
}

/** Discord's nonce is at most 25 characters: a digest of the ticket and the step. */
const nonceOf = (ticketId: string, step: string): string => createHash('sha256').update(`${ticketId}:${step}`).digest('hex').slice(0, 25);

const MEMBER_ALLOW = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ReadMessageHistory | PermissionFlagsBits.AttachFiles;
const BOT_ALLOW = MEMBER_ALLOW | PermissionFlagsBits.ManageChannels | PermissionFlagsBits.ManageRoles | PermissionFlagsBits.EmbedLinks;
/** The channel's topic names the ticket: a retried create finds the channel its lost answer made. */
const topicOf = (ticketId: string) => `Ticket ${ticketId}`;
/** Channel names: lowercase, dashes, at most 100 characters. */
const channelName = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-_]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 90) || 'ticket';

/**
 * The ticket flow's side effects (workflows/ticket.ts), each keyed by the ticket id: record the ticket,
 * create its private channel (the opener, the type's staff roles and the bot see it; @everyone does not),
 * post the opening message, record claims and members, warn when idle, record the close, tell the opener,
 * delete the channel. Channels and categories are checked to be the guild's before the bot acts.
 */
export function createTicketActivities({ prisma, log, discord, guildDirectory, discordActivities: d }: FeatureDeps) {
  const tlog = log.child({ component: 'tickets' });
  const scope = guildScope({ discord, guildDirectory });
  const messages = channelMessages(discord ?? null);
  const rest = (what: string): REST => {
    if (!discord) throw discordNotConfigured(what);
    return discord;
  };
  const ticketOf = (ticketId: string) => prisma.ticket.findUniqueOrThrow({ where: { id: ticketId }, include: { type: true } });
  /** Posts in the ticket's channel; a channel that is gone is `{ posted: false }` (the flow learns it by signal). */
  const postInTicket = async (ticketId: string, step: string, build: (t: Awaited<ReturnType<typeof ticketOf>>) => DiscordMessage): Promise<{ posted: boolean }> => {
    const t = await ticketOf(ticketId);
    if (!t.channelId) return { posted: false };
    try {
      await messages.post(t.channelId, build(t), nonceOf(ticketId, step));
      return { posted: true };
    } catch (err) {
      if (messageFault(err) === 'channel_gone') return { posted: false };
      throw toDiscordFailure(err, `post in the ticket channel <#${t.channelId}>`);
    }
  };

  /**
   * Who sees a new ticket besides its opener: the type's staff roles, the guild's mod and admin roles, and
   * the holders of the Manage tickets grant (roles and members) — every role checked to be the guild's.
   */
  const staffOf = async (guildId: string, typeRoles: string[]): Promise<{ roles: string[]; users: string[] }> => {
    const settings = await prisma.guildSettings.findUnique({ where: { guildId } });
    const grants = await prisma.memberGrant.findMany({ where: { guildId, permission: 'manage_tickets' } });
    const candidates = new Set([...typeRoles, ...(settings?.modRoleIds ?? []), ...(settings?.adminRoleIds ?? []), ...grants.filter((g) => g.subjectType === 'role').map((g) => g.subjectId)]);
    const roles = [];
    for (const r of candidates) if (await scope.directory?.hasRole(guildId, r)) roles.push(r);
    return { roles, users: grants.filter((g) => g.subjectType === 'user').map((g) => g.subjectId) };
  };

  return defineActivities(log, 'tickets', {
    async ticketRecordOpen(input: TicketRef & { workflowId: string; guildId: string; typeId: string; openerId: string; number: number; answers: TicketAnswer[]; openedAt: string }): Promise<void> {
      await prisma.ticket.createMany({
        data: [{ id: input.ticketId, workflowId: input.workflowId, guildId: input.guildId, typeId: input.typeId, openerId: input.openerId, number: input.number, answers: input.answers as object[], status: 'opening', openedAt: new Date(input.openedAt) }],
        skipDuplicates: true,
      });
    },

    /** Creates the private channel once (a retry finds it by its topic) and records it. */
    async ticketCreateChannel(input: TicketRef): Promise<{ channelId: string }> {
      const t = await ticketOf(input.ticketId);
      if (t.channelId) return { channelId: t.channelId };
      const client = rest('create ticket channels');
      if (t.type.categoryId) await scope.requireGuildChannel(t.guildId, t.type.categoryId, 'create the ticket under its category');
      let channel: APIChannel | undefined;
      try {
        const existing = (await client.get(Routes.guildChannels(t.guildId))) as (APIChannel & { topic?: string | null })[];
        channel = existing.find((c) => c.topic === topicOf(t.id));
        if (!channel) {
          const me = (await client.get(Routes.user())) as { id: string };
          const opener = (await client.get(Routes.user(t.openerId)).catch(() => null)) as { username?: string } | null;
          const staff = await staffOf(t.guildId, t.type.staffRoleIds);
          channel = (await client.post(Routes.guildChannels(t.guildId), {
            body: {
              name: channelName(`${t.type.name}-${opener?.username ?? t.number}`),
              type: ChannelType.GuildText,
              topic: topicOf(t.id),
              ...(t.type.categoryId ? { parent_id: t.type.categoryId } : {}),
              permission_overwrites: [
                { id: t.guildId, type: OverwriteType.Role, deny: String(PermissionFlagsBits.ViewChannel), allow: '0' },
                { id: me.id, type: OverwriteType.Member, allow: String(BOT_ALLOW), deny: '0' },
                { id: t.openerId, type: OverwriteType.Member, allow: String(MEMBER_ALLOW), deny: '0' },
                ...staff.roles.map((id) => ({ id, type: OverwriteType.Role, allow: String(MEMBER_ALLOW), deny: '0' })),
                ...staff.users.filter((id) => id !== t.openerId && id !== me.id).map((id) => ({ id, type: OverwriteType.Member, allow: String(MEMBER_ALLOW), deny: '0' })),
              ],
            },
            reason: `Ticket ${t.id}`,
          })) as APIChannel;
        }
      } catch (err) {
        throw toDiscordFailure(err, 'create the ticket channel');
      }
      await prisma.ticket.update({ where: { id: t.id }, data: { channelId: channel.id } });
      return { channelId: channel.id };
    },

    /** The opening message (answers, staff pinged, controls); the ticket is then open. */
    async ticketPostOpened(input: TicketRef): Promise<void> {
      const t = await ticketOf(input.ticketId);
      const message = await scope.onlyGuildPings(t.guildId, openedMessage(t, t.type));
      await postInTicket(t.id, 'opened', () => message);
      await prisma.ticket.updateMany({ where: { id: t.id, status: 'opening' }, data: { status: 'open' } });
    },

    async ticketRecordClaim(input: TicketRef & { claimedBy: string; step: string }): Promise<void> {
      await prisma.ticket.update({ where: { id: input.ticketId }, data: { claimedBy: input.claimedBy } });
      await postInTicket(input.ticketId, input.step, (t) => noticeMessage(t, 'success', 'Ticket claimed', `<@${input.claimedBy}> is taking care of this ticket.`));
    },

    /** Lets a member see the channel, or takes that away (their overwrite), and says so there. */
    async ticketChangeMember(input: TicketRef & TicketMemberChange & { step: string }): Promise<void> {
      const t = await ticketOf(input.ticketId);
      if (!t.channelId) return;
      const client = rest('change ticket members');
      try {
        if (input.action === 'add') {
          await client.put(Routes.channelPermission(t.channelId, input.memberId), { body: { type: OverwriteType.Member, allow: String(MEMBER_ALLOW), deny: '0' }, reason: `Ticket ${t.id}` });
        } else {
          await client.delete(Routes.channelPermission(t.channelId, input.memberId), { reason: `Ticket ${t.id}` });
        }
      } catch (err) {
        throw toDiscordFailure(err, `${input.action} a member of the ticket channel <#${t.channelId}>`);
      }
      await postInTicket(t.id, input.step, (row) => noticeMessage(row, 'info', input.action === 'add' ? 'Member added' : 'Member removed', `<@${input.memberId}> ${input.action === 'add' ? 'can now see' : 'no longer sees'} this ticket.`));
    },

    async ticketRename(input: TicketRef & { name: string }): Promise<{ name: string }> {
      const t = await ticketOf(input.ticketId);
      const name = channelName(input.name);
      if (!t.channelId) return { name };
      try {
        await rest('rename ticket channels').patch(Routes.channel(t.channelId), { body: { name }, reason: `Ticket ${t.id}` });
      } catch (err) {
        throw toDiscordFailure(err, `rename the ticket channel <#${t.channelId}>`);
      }
      return { name };
    },

    async ticketRecordFirstResponse(input: TicketRef & { at: string }): Promise<void> {
      await prisma.ticket.updateMany({ where: { id: input.ticketId, firstResponseAt: null }, data: { firstResponseAt: new Date(input.at) } });
    },

    async ticketWarnIdle(input: TicketRef & { closesAt: string; step: string }): Promise<void> {
      await postInTicket(input.ticketId, input.step, (t) => idleWarning(t, new Date(input.closesAt)));
    },

    async ticketRecordClose(input: TicketRef & { closedBy: string | null; reason: string | null; closedAt: string }): Promise<void> {
      await prisma.ticket.update({ where: { id: input.ticketId }, data: { status: 'closing', closedBy: input.closedBy, closeReason: input.reason, closedAt: new Date(input.closedAt) } });
    },

    async ticketPostClosing(input: TicketRef & { deletesAt: string; step: string }): Promise<void> {
      await postInTicket(input.ticketId, input.step, (t) => closingMessage(t, new Date(input.deletesAt)));
    },

    async ticketRecordReopen(input: TicketRef & { by: string; step: string }): Promise<void> {
      await prisma.ticket.update({ where: { id: input.ticketId }, data: { status: 'open', closedBy: null, closeReason: null, closedAt: null } });
      await postInTicket(input.ticketId, input.step, (t) => noticeMessage(t, 'success', 'Ticket reopened', `<@${input.by}> reopened it: the channel stays.`, []));
    },

    /** Saves the channel's whole history (HTML and JSON) before anything is deleted; a rebuild replaces it. */
    async ticketSaveTranscript(input: TicketRef): Promise<{ messages: number; attachments: number }> {
      const t = await ticketOf(input.ticketId);
      if (!t.channelId) throw ApplicationFailure.nonRetryable('The ticket has no channel to save.', 'NotFound');
      try {
        const s = await buildTranscript({ prisma, rest: discord ?? null, log: tlog }, { guildId: t.guildId, ticketId: t.id, channelId: t.channelId, title: `${typeLabel(t.type)} ticket #${t.number}` });
        return { messages: s.messages, attachments: s.attachments };
      } catch (err) {
        if (err instanceof TranscriptChannelMismatch) throw ApplicationFailure.nonRetryable(err.message, DISCORD_FAILURES.notInGuild);
        throw toDiscordFailure(err, `read the history of <#${t.channelId}>`);
      }
    },

    /** Posts the transcript file in the guild's transcript channel (none set: `{ posted: false }`). */
    async ticketPostTranscript(input: TicketRef & { step: string }): Promise<{ posted: boolean }> {
      const t = await ticketOf(input.ticketId);
      const { transcriptChannelId: channelId } = await getTicketSettings(prisma, t.guildId);
      if (!channelId) return { posted: false };
      await scope.requireGuildChannel(t.guildId, channelId, 'post the ticket transcript');
      const file = await transcriptFile(prisma, t.guildId, t.id, 'html');
      try {
        await rest('post transcripts').post(Routes.channelMessages(channelId), {
          body: { ...transcriptMessage(t, t.type, file !== null), nonce: nonceOf(t.id, input.step), enforce_nonce: true, ...(file ? { attachments: [{ id: 0, filename: file.name }] } : {}) },
          ...(file ? { files: [{ name: file.name, data: file.data, contentType: 'text/html' }] } : {}),
        });
      } catch (err) {
        throw toDiscordFailure(err, `post the transcript in <#${channelId}>`);
      }
      return { posted: true };
    },

    /** DMs the opener that it closed, with the transcript and the rating buttons; closed DMs are a note in the admin log. */
    async ticketTellOpenerClosed(input: TicketRef): Promise<{ via: 'dm' | 'admin_log' }> {
      const t = await ticketOf(input.ticketId);
      const guild = (await rest('read the guild').get(Routes.guild(t.guildId)).catch(() => null)) as APIGuild | null;
      const file = await transcriptFile(prisma, t.guildId, t.id, 'html');
      try {
        await d.discordSendDm({ userId: t.openerId, message: closedDm(t, t.type, guild?.name ?? null), ...(file ? { files: [{ name: file.name, data: file.data, contentType: 'text/html' }] } : {}) });
        return { via: 'dm' };
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || err.type !== DISCORD_FAILURES.cannotDm) throw err;
      }
      await d.discordPostAdminLog({ guildId: t.guildId, message: noticeMessage(t, 'warning', 'Ticket closed: opener not told', `<@${t.openerId}> does not accept DMs, so they did not get ticket #${t.number}'s close notice.`) });
      return { via: 'admin_log' };
    },

    /** Deletes the channel (one already gone counts) and records the ticket `closed`. */
    async ticketDeleteChannel(input: TicketRef): Promise<void> {
      const t = await ticketOf(input.ticketId);
      if (t.channelId) {
        try {
          await rest('delete ticket channels').delete(Routes.channel(t.channelId), { reason: `Ticket ${t.id} closed` });
        } catch (err) {
          const fault = messageFault(err);
          if (fault !== 'channel_gone' && fault !== 'message_gone') throw toDiscordFailure(err, `delete the ticket channel <#${t.channelId}>`);
        }
      }
      await prisma.ticket.update({ where: { id: t.id }, data: { status: 'closed' } });
    },

    /** The ticket ended without its channel being deleted by the flow: `deleted` (by hand) or `failed`. */
    async ticketRecordEnd(input: TicketRef & { status: 'deleted' | 'failed' | 'closed'; why?: string }): Promise<void> {
      if (input.why) tlog.warn({ ticketId: input.ticketId, why: input.why }, 'ticket ended without its channel deleted');
      await prisma.ticket.update({ where: { id: input.ticketId }, data: { status: input.status } });
    },
  });
}
