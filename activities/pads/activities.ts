import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import type { PadEndReason, PadType } from '../../lib/flows/pads';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { channelMessages } from '../discord/messages';
import { guildScope } from '../discord/scope';
import { toDiscordFailure } from '../discord/errors';
import { editChannelMessage } from '../tasks/message';
import { reminderMessage, sessionMessage } from './messages';
import { getPadSettings } from './service';

interface SessionRef {
  /** The flow's run id: one row per run. */
  sessionId: string;
  workflowId: string;
  guildId: string;
}

/** Discord's nonce is at most 25 characters: a digest of the run id and the step. */
const nonceOf = (sessionId: string, step: string): string => createHash('sha256').update(`${sessionId}:${step}`).digest('hex').slice(0, 25);

/**
 * The pad flow's side effects (workflows/pad.ts), each keyed by the run id: record the session (closing a
 * row left open by a run that no longer exists), post its announcement once, remind the host, record the
 * end, and show it. Channels are checked to be the guild's before anything is posted.
 */
export function createPadActivities({ prisma, log, discord, guildDirectory, discordActivities: d }: FeatureDeps) {
  const plog = log.child({ component: 'pads' });
  const scope = guildScope({ discord, guildDirectory });
  const messages = channelMessages(discord ?? null);
  const sessionOf = (sessionId: string) => prisma.padSession.findUniqueOrThrow({ where: { id: sessionId } });

  return defineActivities(log, 'pads', {
    async padRecordStart(input: SessionRef & { pad: number; type: PadType; hostId: string; description: string | null; startedAt: string; endsAt: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        // Only this run holds the pad (its id decides): an open row of another run is one whose flow was
        // terminated before it could record its end.
        const stale = await tx.padSession.updateMany({
          where: { guildId: input.guildId, pad: input.pad, endedAt: null, id: { not: input.sessionId } },
          data: { endedAt: new Date(input.startedAt), endReason: 'abandoned' },
        });
        if (stale.count) plog.warn({ guildId: input.guildId, pad: input.pad }, 'closed a session whose flow is gone');
        await tx.padSession.createMany({
          data: [{ id: input.sessionId, workflowId: input.workflowId, guildId: input.guildId, pad: input.pad, type: input.type, hostId: input.hostId, description: input.description, startedAt: new Date(input.startedAt) }],
          skipDuplicates: true,
        });
      });
    },

    /** Posts the session in the sessions channel once; `{ posted: false }` when the guild has none set. */
    async padAnnounce(input: SessionRef): Promise<{ posted: boolean; messageId?: string }> {
      const s = await sessionOf(input.sessionId);
      if (s.announcementMessageId) return { posted: true, messageId: s.announcementMessageId };
      const { sessionsChannelId: channelId, ...settings } = await getPadSettings(prisma, s.guildId);
      if (!channelId) return { posted: false };
      await scope.requireGuildChannel(s.guildId, channelId, 'announce the session');
      const maxSeconds = s.type === 'training' ? settings.trainingMaxSeconds : settings.tryoutMaxSeconds;
      let messageId: string;
      try {
        messageId = (await messages.post(channelId, sessionMessage(s, new Date(s.startedAt.getTime() + maxSeconds * 1000)), nonceOf(s.id, 'announce'))).id;
      } catch (err) {
        throw toDiscordFailure(err, `announce the session in <#${channelId}>`);
      }
      await prisma.padSession.update({ where: { id: s.id }, data: { announcementChannelId: channelId, announcementMessageId: messageId } });
      return { posted: true, messageId };
    },

    /** Reminds the host by DM, or (DMs closed) with a mention in the sessions channel. */
    async padRemind(input: SessionRef & { endsAt: string }): Promise<{ via: 'dm' | 'channel' | 'none' }> {
      const s = await sessionOf(input.sessionId);
      const endsAt = new Date(input.endsAt);
      try {
        await d.discordSendDm({ userId: s.hostId, message: reminderMessage(s, endsAt, true) });
        return { via: 'dm' };
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || err.type !== DISCORD_FAILURES.cannotDm) throw err;
      }
      const channelId = s.announcementChannelId;
      if (!channelId) return { via: 'none' };
      await scope.requireGuildChannel(s.guildId, channelId, 'remind the host');
      try {
        await messages.post(channelId, reminderMessage(s, endsAt, false), nonceOf(s.id, 'remind'));
      } catch (err) {
        throw toDiscordFailure(err, `remind the host in <#${channelId}>`);
      }
      return { via: 'channel' };
    },

    /** Records the end once: a retry finds it recorded and changes nothing. */
    async padRecordEnd(input: { sessionId: string; endedAt: string; endedBy: string | null; endReason: PadEndReason }): Promise<void> {
      await prisma.padSession.updateMany({ where: { id: input.sessionId, endedAt: null }, data: { endedAt: new Date(input.endedAt), endedBy: input.endedBy, endReason: input.endReason } });
    },

    /** Edits the announcement to its ended form (no button); `{ edited: false }` when there is none (or it was deleted). */
    async padAnnounceEnded(input: SessionRef): Promise<{ edited: boolean }> {
      const s = await sessionOf(input.sessionId);
      if (!s.announcementChannelId || !s.announcementMessageId) return { edited: false };
      await scope.requireGuildChannel(s.guildId, s.announcementChannelId, 'show the session ended');
      const edited = await editChannelMessage(discord ?? null, s.announcementChannelId, s.announcementMessageId, sessionMessage(s));
      return { edited: edited !== null };
    },
  });
}
