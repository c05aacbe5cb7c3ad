import type { Ticket } from '../../prisma/client';
import { answer, controlsOf, embedOf, eventually, newMember, openTicketOf, openWithForm, rowOf, startTicketsEnv, type TicketsEnv } from './helpers';

/**
 * The ticket controls beyond open and close: statistics computed from the rows (first here, so the guild
 * holds only the tickets this test opens), rename and members (staff only; the opener always stays), and
 * a close whose opener does not accept DMs.
 */
jest.setTimeout(120_000);

let env: TicketsEnv;
beforeAll(async () => {
  env = await startTicketsEnv();
});
afterAll(() => env?.stop());

const here = (ticket: { channelId: string }) => ({ channelId: ticket.channelId });
const ticketSlash = (ticket: { channelId: string }, userId: string, subcommand: string, options: Record<string, unknown>) =>
  answer(env.discord.slash(env.guildId, userId, 'ticket', options, { subcommand, ...here(ticket) }));
const channelGone = (channelId: string) => env.discord.waitFor(() => !env.discord.channel(channelId), 20_000, `channel ${channelId} to be deleted`);

async function openTicket(opener = newMember(env)) {
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  await controlsOf(env, ticket);
  return { opener, ticket };
}

const seconds = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

it('stats: per-day counts, the medians of first response and resolution from the rows, and the ratings once rated', async () => {
  const a = await openTicket();
  const b = await openTicket();
  // Staff answer each ticket, then each is closed: the flow stamps both times.
  for (const { ticket } of [a, b]) {
    env.discord.postMessage(ticket.channelId, env.staff, 'Looking into it');
    await eventually(() => env.prisma.ticket.findFirst({ where: { id: ticket.id, firstResponseAt: { not: null } } }), 'the first response');
  }
  for (const { ticket } of [a, b]) {
    expect(await ticketSlash(ticket, env.staff, 'close', { reason: 'Answered' })).toBe('The ticket is closed.');
  }
  const rows = await eventually(async () => {
    const all = await env.prisma.ticket.findMany({ where: { guildId: env.guildId } });
    return all.length === 2 && all.every((t) => t.closedAt) ? all : null;
  }, 'both tickets closed');

  const stats = async () => {
    const res = await env.api('GET', '/tickets/stats?days=7', undefined, env.modToken);
    expect(res.status).toBe(200);
    return res.body as { days: { day: string; opened: number; closed: number }[]; medianFirstResponseSeconds: number; medianResolutionSeconds: number; ratings: { count: number; average: number | null; byStars: Record<string, number> } };
  };
  const perDay = new Map<string, { day: string; opened: number; closed: number }>();
  const dayOf = (day: string) => perDay.get(day) ?? perDay.set(day, { day, opened: 0, closed: 0 }).get(day)!;
  for (const t of rows) {
    dayOf(utcDay(t.openedAt)).opened += 1;
    dayOf(utcDay(t.closedAt!)).closed += 1;
  }
  const before = await stats();
  expect(before.days).toEqual([...perDay.values()].sort((x, y) => x.day.localeCompare(y.day)));
  expect(before.medianFirstResponseSeconds).toBe(Math.round(median(rows.map((t) => seconds(t.openedAt, t.firstResponseAt!)))));
  expect(before.medianResolutionSeconds).toBe(Math.round(median(rows.map((t) => seconds(t.openedAt, t.closedAt!)))));
  expect(before.ratings).toEqual({ count: 0, average: null, byStars: {} });

  // Each opener rates from the close DM.
  for (const [{ opener, ticket }, stars] of [[a, 5], [b, 2]] as const) {
    const dm = await env.discord.waitFor(() => env.discord.dms(opener).find((m) => embedOf(m).title?.includes('was closed')), 15_000, 'the close DM');
    expect(await answer(env.discord.clickButton(dm, `gf:ticket-rate:${stars}.${ticket.id}`, opener))).toContain('★'.repeat(stars));
  }
  expect((await stats()).ratings).toEqual({ count: 2, average: 3.5, byStars: { '2': 1, '5': 1 } });
});

it('rename: staff rename the channel; a member who is not staff is refused and the name stays', async () => {
  const { opener, ticket } = await openTicket();
  const original = env.discord.channel(ticket.channelId)!.name;
  expect(await ticketSlash(ticket, opener, 'rename', { name: 'mine now' })).toContain('Only the Support staff');
  expect(env.discord.channel(ticket.channelId)!.name).toBe(original);
  expect(await ticketSlash(ticket, env.staff, 'rename', { name: 'Refund Pending' })).toBe('Renamed to #refund-pending.');
  expect(env.discord.channel(ticket.channelId)!.name).toBe('refund-pending');
});

it('Add member, then remove: the member sees the channel, then does not; the opener cannot be removed', async () => {
  const { opener, ticket } = await openTicket();
  const friend = newMember(env);
  expect(env.discord.canView(ticket.channelId, friend)).toBe(false);
  const picker = env.discord.clickButton(await controlsOf(env, ticket), `gf:ticket-add:${ticket.id}`, opener);
  await picker.waitForResponse();
  expect(await answer(env.discord.selectMenu(picker.original()!, `gf:ticket-add-pick:${ticket.id}`, opener, [friend]))).toBe(`<@${friend}> can now see this ticket.`);
  expect(env.discord.canView(ticket.channelId, friend)).toBe(true);

  // Removing is for staff: the opener cannot remove the friend, and nobody removes the opener.
  expect(await ticketSlash(ticket, opener, 'remove', { member: friend })).toContain('Only the Support staff');
  expect(env.discord.canView(ticket.channelId, friend)).toBe(true);
  expect(await ticketSlash(ticket, env.staff, 'remove', { member: opener })).toContain('The member who opened the ticket always sees it.');
  expect(env.discord.canView(ticket.channelId, opener)).toBe(true);
  expect(await ticketSlash(ticket, env.staff, 'remove', { member: friend })).toBe(`<@${friend}> no longer sees this ticket.`);
  expect(env.discord.canView(ticket.channelId, friend)).toBe(false);
  expect(env.discord.canView(ticket.channelId, opener)).toBe(true);
});

it('the opener does not accept DMs: the transcript is still posted, the admin log says so, and the channel goes after the delay', async () => {
  const { opener, ticket } = await openTicket();
  env.discord.setDmsClosed(opener);
  env.discord.postMessage(ticket.channelId, opener, 'Please close it');
  expect(await ticketSlash(ticket, env.staff, 'close', { reason: 'Done' })).toBe('The ticket is closed.');
  const closed: Ticket = await rowOf(env, ticket.id, 'closing');
  const transcript = await env.discord.waitFor(
    () => env.discord.messages(env.transcriptChannel).find((m) => embedOf(m).description?.includes(`<@${opener}>`) && m.attachments[0]?.filename === `transcript-${ticket.id}.html`),
    15_000,
    'the transcript post',
  );
  expect(transcript.attachments[0]!.data.toString('utf8')).toContain('Please close it');
  const note = await env.discord.waitFor(() => env.discord.messages(env.demo.channels.adminLog.id).find((m) => embedOf(m).title === 'Ticket closed: opener not told'), 15_000, 'the admin-log note');
  expect(embedOf(note).description).toContain(`<@${opener}> does not accept DMs`);
  expect(env.discord.dms(opener)).toEqual([]);
  await channelGone(ticket.channelId);
  // Deleted by the bot, not before the 3 s close delay counted from the recorded close.
  const deletion = env.discord.requests().find((r) => r.method === 'DELETE' && r.route === `/channels/${ticket.channelId}`);
  expect(deletion!.at - closed.closedAt!.getTime()).toBeGreaterThanOrEqual(3000);
  expect(await rowOf(env, ticket.id, 'closed')).toMatchObject({ closedBy: env.staff, closeReason: 'Done' });
});
