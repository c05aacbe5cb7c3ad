/**
 * `npm run playground -- scripts/playground-examples/ticket.ts`: a support ticket from the panel to its
 * transcript. The admin sets up a Support type (its form, a staff role, a category) and posts the panel;
 * the member opens a ticket through the form, a moderator claims it, they talk, the moderator closes it
 * with a reason; the transcript is posted and DMed before the channel is deleted.
 */
import { ChannelType } from 'discord-api-types/v10';
import { waitFor } from '../../lib/wait';
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

export default async function ticket(playground: Playground): Promise<{ workflowIds: string[]; ticketId: string; channelId: string; transcriptMessageId: string }> {
  const { discord, demo, prisma } = playground;
  const { guild, admin, mod, member, roles, channels } = demo;
  const { say, show, slash, press, fill, flow, api } = transcript(playground);

  say('> Admin (API): PATCH /settings: @Admin is the admin role, @Moderator the mod role');
  await api('PATCH', '/settings', { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] });
  const category = discord.channels(guild.id).find((c) => c.name === 'Tickets') ?? discord.createChannel(guild.id, { name: 'Tickets', type: ChannelType.GuildCategory });
  const transcripts = discord.channels(guild.id).find((c) => c.name === 'transcripts') ?? discord.createChannel(guild.id, { name: 'transcripts', type: ChannelType.GuildText });
  say('(The server has a Tickets category and a #transcripts channel.)');
  await slash(admin.id, 'tickets', 'settings', { transcript_channel: transcripts.id, close_delay: '5s' });
  const typeName = `Support ${Date.now().toString(36)}`;
  say(`> Admin (API): POST /tickets/types: "${typeName}", a two-question form, @Moderator answers`);
  const type = await api<{ id: number }>('POST', '/tickets/types', {
    name: typeName,
    emoji: '🎫',
    categoryId: category.id,
    staffRoleIds: [roles.mod.id],
    questions: [{ label: 'What happened?', long: true }, { label: 'Your Roblox name' }],
    openLimit: 1,
    welcome: 'Thanks for reaching out: a moderator will be with you shortly.',
  });
  await slash(admin.id, 'tickets', 'panel', { channel: channels.general });
  const panel = discord.messages(channels.general).filter((m) => m.embeds[0]?.title === 'Support tickets').at(-1)!;

  const form = await press(panel, `gf:ticket-open:${type.id}`, member.id, typeName);
  await fill(form, member.id, { q0: 'My dragon vanished after a trade', q1: 'builderman' });
  const opened = await waitFor(() => prisma.ticket.findFirst({ where: { guildId: guild.id, openerId: member.id, status: 'open', channelId: { not: null } }, orderBy: { openedAt: 'desc' } }), { timeoutMs: 15_000, what: 'the ticket to open' });
  const channelId = opened.channelId!;
  const workflowId = `ticket:${guild.id}:${opened.id}`;
  flow(workflowId);
  const controls = await discord.waitFor(() => discord.messages(channelId).find((m) => m.components.length > 0 && m.embeds[0]?.title?.includes('ticket #')), 15_000, 'the ticket controls');
  say('The new private channel shows:');
  show(controls);

  await press(controls, buttonId(controls, 'Claim'), mod.id, 'Claim');
  say('> Moderator writes in the ticket: "Found it: the trade was refunded, check your inventory."');
  discord.postMessage(channelId, mod.id, 'Found it: the trade was refunded, check your inventory.');
  say('> Member writes: "It is back, thank you!"');
  discord.postMessage(channelId, member.id, 'It is back, thank you!');

  const closing = await press(controls, buttonId(controls, 'Close'), mod.id, 'Close');
  await fill(closing, mod.id, { reason: 'Solved: the pet was refunded' });
  const posted = await discord.waitFor(() => discord.messages(transcripts.id).find((m) => m.embeds[0]?.title?.startsWith('Transcript:') && m.embeds[0]?.title?.endsWith(`#${opened.number}`)), 30_000, 'the transcript in #transcripts');
  say('#transcripts shows:');
  show(posted);
  console.log(`    (attached: ${posted.attachments.map((a) => a.filename).join(', ')})`);
  const dm = await discord.waitFor(() => discord.dms(member.id).find((m) => m.embeds[0]?.title?.includes(`ticket #${opened.number} was closed`)), 30_000, 'the DM to the member');
  say(`${member.username} gets a DM:`);
  show(dm);
  await discord.waitFor(() => !discord.channel(channelId), 30_000, 'the ticket channel to be deleted after the delay');
  say('The ticket channel is deleted after the 5 s delay; the transcript stays.');
  return { workflowIds: [workflowId], ticketId: opened.id, channelId, transcriptMessageId: posted.id };
}
