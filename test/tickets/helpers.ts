import { ChannelType } from 'discord-api-types/v10';
import type { MessageRecord } from '../fakes/discord';
import { startPadsEnv, type PadsEnv } from '../pads/helpers';
import { eventually } from '../sync/helpers';
import { answer, embedOf } from '../tasks/helpers';
import type { Ticket } from '../../prisma/client';

/**
 * Support tickets through the whole system: the production bot against the fake Discord, a restartable
 * worker with the production workflows and activities, and the API over HTTP (the pads harness, whose
 * demo guild has admin and mod roles). The guild gets a Support category, a Support staff role with one
 * staff member, a transcript channel and a "Support" ticket type with a two-question form, made with
 * `/tickets` like an admin would, and the panel posted in #help-desk.
 */
export interface TicketsEnv extends PadsEnv {
  category: string;
  staffRole: string;
  staff: string;
  transcriptChannel: string;
  panelChannel: string;
  typeId: string;
}

let memberSeq = 0;
export function newMember(env: Pick<TicketsEnv, 'discord' | 'guildId'>): string {
  memberSeq += 1;
  const u = env.discord.createUser({ username: `ticket-member-${memberSeq}` });
  env.discord.addMember(env.guildId, u.id);
  return u.id;
}

export async function startTicketsEnv(): Promise<TicketsEnv> {
  const env = await startPadsEnv();
  const { discord, guildId } = env;
  const category = discord.createChannel(guildId, { name: 'Support', type: ChannelType.GuildCategory }).id;
  const staffRole = discord.createRole(guildId, { name: 'Support staff' }).id;
  const staffUser = discord.createUser({ username: 'support-staff' }).id;
  discord.addMember(guildId, staffUser, { roles: [staffRole] });
  const transcriptChannel = discord.createChannel(guildId, { name: 'transcripts', type: ChannelType.GuildText }).id;
  const panelChannel = discord.createChannel(guildId, { name: 'help-desk', type: ChannelType.GuildText }).id;
  const admin = env.demo.admin.id;
  const added = await answer(
    discord.slash(guildId, admin, 'tickets', { name: 'Support', emoji: '🛟', category, staff_role: staffRole, questions: 'What happened? | Your Roblox name', limit: 1, welcome: 'Tell us more.' }, { subcommandGroup: 'type', subcommand: 'add' }),
  );
  if (!added.includes('Ticket type 🛟 Support added')) throw new Error(`/tickets type add answered: ${added}`);
  const settings = await answer(discord.slash(guildId, admin, 'tickets', { transcript_channel: transcriptChannel, close_delay: '3s' }, { subcommand: 'settings' }));
  if (!settings.includes('Ticket settings updated')) throw new Error(`/tickets settings answered: ${settings}`);
  const panel = await answer(discord.slash(guildId, admin, 'tickets', { channel: panelChannel }, { subcommand: 'panel' }));
  if (!panel.includes('Ticket panel posted')) throw new Error(`/tickets panel answered: ${panel}`);
  const type = await env.prisma.ticketType.findFirstOrThrow({ where: { guildId, name: 'Support' } });
  return Object.assign(env, { category, staffRole, staff: staffUser, transcriptChannel, panelChannel, typeId: type.id });
}

function panelOf(env: TicketsEnv): MessageRecord {
  const panel = env.discord.messages(env.panelChannel).find((m) => embedOf(m).title === 'Support tickets');
  if (!panel) throw new Error('no panel');
  return panel;
}

/** The member presses the panel's Support button and fills the form; the form's interaction. */
export async function openWithForm(env: TicketsEnv, userId: string, answers = { q0: 'My pet vanished', q1: 'roblox_kid' }) {
  const click = env.discord.clickButton(panelOf(env), `gf:ticket-open:${env.typeId}`, userId);
  await click.waitForResponse();
  return env.discord.submitModal(click, `gf:ticket-form:${env.typeId}`, userId, answers);
}

/** The member's newest open ticket once its channel exists. */
export function openTicketOf(env: TicketsEnv, userId: string): Promise<Ticket & { channelId: string }> {
  return eventually(async () => {
    const t = await env.prisma.ticket.findFirst({ where: { guildId: env.guildId, openerId: userId, status: 'open', channelId: { not: null } }, orderBy: { number: 'desc' } });
    return t ? (t as Ticket & { channelId: string }) : null;
  }, `${userId}'s ticket to open`);
}

/** The ticket's control message (Claim, Close, Add member). */
export function controlsOf(env: TicketsEnv, ticket: Pick<Ticket, 'channelId'>): Promise<MessageRecord> {
  return env.discord.waitFor(() => env.discord.messages(ticket.channelId!).find((m) => m.components.length > 0 && !!embedOf(m).title?.includes('ticket #')), 15_000, 'the ticket controls');
}

export const flowStatus = async (env: TicketsEnv, ticket: Pick<Ticket, 'id'>) => (await env.temporal.client.workflow.getHandle(`ticket:${env.guildId}:${ticket.id}`).describe()).status.name;

export function rowOf(env: TicketsEnv, ticketId: string, status: string): Promise<Ticket> {
  return eventually(() => env.prisma.ticket.findFirst({ where: { id: ticketId, status } }), `ticket ${ticketId} to be ${status}`);
}

export { answer, embedOf, eventually };
