import { guildflowEmbed } from '../../lib/discord/embeds';
import { announcementFlowId } from '../../lib/flows/announcements';
import type { Announcement } from '../../prisma/client';
import type { DiscordMessage } from '../discord/activities';

/** The announcement as posted (and as previewed: the preview shows exactly this). Only the chosen role is pinged. */
export function announcementMessage(a: Pick<Announcement, 'id' | 'title' | 'body' | 'colour' | 'imageUrl' | 'pingRoleId'> & { footer?: string | null }): DiscordMessage {
  const embed = guildflowEmbed({ outcome: 'info', title: a.title, description: a.body, colour: a.colour, imageUrl: a.imageUrl, flowId: announcementFlowId(a.id) });
  return {
    content: a.pingRoleId ? `<@&${a.pingRoleId}>` : '',
    // A footer a person chose (a saved embed's) replaces Guildflow's: it is what they asked to post.
    embeds: [a.footer ? { ...embed, footer: { text: a.footer } } : embed],
    allowed_mentions: { parse: [], roles: a.pingRoleId ? [a.pingRoleId] : [] },
  };
}
