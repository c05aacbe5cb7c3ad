import { guildflowEmbed } from '../../lib/discord/embeds';
import { announcementFlowId } from '../../lib/flows/announcements';
import type { Announcement } from '../../prisma/client';
import type { DiscordMessage } from '../discord/activities';

/** The announcement as posted (and as previewed: the preview shows exactly this). Only the chosen role is pinged. */
export function announcementMessage(a: Pick<Announcement, 'id' | 'title' | 'body' | 'colour' | 'imageUrl' | 'pingRoleId'>): DiscordMessage {
  return {
    content: a.pingRoleId ? `<@&${a.pingRoleId}>` : '',
    embeds: [guildflowEmbed({ outcome: 'info', title: a.title, description: a.body, colour: a.colour, imageUrl: a.imageUrl, flowId: announcementFlowId(a.id) })],
    allowed_mentions: { parse: [], roles: a.pingRoleId ? [a.pingRoleId] : [] },
  };
}
