import { buttonsOf } from '../tasks/helpers';
import { answer, controlsOf, embedOf, eventually, flowStatus, newMember, openTicketOf, openWithForm, rowOf, startTicketsEnv, type TicketsEnv } from './helpers';

/**
 * Support tickets through the production bot and worker against the fake Discord: the panel's form opens
 * a private channel, the workflow id makes two opens one ticket, the per-member limit names the open one,
 * only staff claim, a close deletes the channel after the delay unless Reopen comes first, silence warns
 * and then closes (a message keeps it open), a restarted worker still closes, and a channel deleted by
 * hand ends the ticket `deleted`.
 */
jest.setTimeout(120_000);

let env: TicketsEnv;
beforeAll(async () => {
  env = await startTicketsEnv();
});
afterAll(() => env?.stop());

const click = (message: Parameters<TicketsEnv['discord']['clickButton']>[0], action: string, key: string, userId: string) => env.discord.clickButton(message, `gf:${action}:${key}`, userId);
const channelGone = (channelId: string) => env.discord.waitFor(() => !env.discord.channel(channelId), 20_000, `channel ${channelId} to be deleted`);

async function closeWithReason(ticket: { id: string; channelId: string }, userId: string, reason: string) {
  const controls = await controlsOf(env, ticket);
  const form = click(controls, 'ticket-close', ticket.id, userId);
  await form.waitForResponse();
  return answer(env.discord.submitModal(form, `gf:ticket-close-reason:${ticket.id}`, userId, { reason }));
}

it('the form opens a private channel under the category: the opener, the staff and the bot see it, other members do not', async () => {
  const opener = newMember(env);
  const form = await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  expect(await eventually(() => (form.original()?.content.includes('is open') ? form.original()!.content : null), 'the reply to name the channel')).toBe(`Your ticket is open: <#${ticket.channelId}>`);
  const channel = env.discord.channel(ticket.channelId)!;
  expect(channel.parentId).toBe(env.category);
  expect(env.discord.canView(ticket.channelId, opener)).toBe(true);
  expect(env.discord.canView(ticket.channelId, env.staff)).toBe(true);
  expect(env.discord.canView(ticket.channelId, env.discord.botUser.id)).toBe(true);
  expect(env.discord.canView(ticket.channelId, env.demo.member.id)).toBe(false);
  expect(env.discord.canView(ticket.channelId, newMember(env))).toBe(false);

  const controls = await controlsOf(env, ticket);
  expect(controls.content).toContain(`<@&${env.staffRole}>`);
  expect(embedOf(controls).fields).toEqual(expect.arrayContaining([{ name: 'What happened?', value: 'My pet vanished' }, { name: 'Your Roblox name', value: 'roblox_kid' }]));
  expect(buttonsOf(controls).map((b) => b.label)).toEqual(['Claim', 'Close', 'Add member']);
  expect(ticket.answers).toEqual([
    { question: 'What happened?', answer: 'My pet vanished' },
    { question: 'Your Roblox name', answer: 'roblox_kid' },
  ]);
});

it('two opens at the same instant make one ticket; at the limit the member is told which ticket is open', async () => {
  const opener = newMember(env);
  const [a, b] = await Promise.all([openWithForm(env, opener), openWithForm(env, opener)]);
  await Promise.all([a.waitForResponse(), b.waitForResponse()]);
  const ticket = await openTicketOf(env, opener);
  expect(await env.prisma.ticket.count({ where: { openerId: opener } })).toBe(1);
  expect(env.discord.channels(env.guildId).filter((c) => c.parentId === env.category && env.discord.canView(c.id, opener))).toHaveLength(1);

  // `/ticket open` shows the same form; at the limit the submission is refused.
  const slash = env.discord.slash(env.guildId, opener, 'ticket', { type: 'Support' }, { subcommand: 'open' });
  expect((await slash.waitForResponse()) && slash.modal()?.customId).toBe(`gf:ticket-form:${env.typeId}`);
  const third = await answer(env.discord.submitModal(slash, `gf:ticket-form:${env.typeId}`, opener, { q0: 'Again', q1: 'roblox_kid' }));
  expect(third).toBe(`You already have a Support ticket open: <#${ticket.channelId}>.`);
  expect(await env.prisma.ticket.count({ where: { openerId: opener } })).toBe(1);
});

it('claim: a member who is not staff is refused; staff claims once; a mod cannot take it over, an admin can', async () => {
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  const controls = await controlsOf(env, ticket);
  expect(await answer(click(controls, 'ticket-claim', ticket.id, opener))).toContain('Only the Support staff');
  expect(await answer(click(controls, 'ticket-claim', ticket.id, env.staff))).toBe('You claimed this ticket.');
  expect((await env.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).claimedBy).toBe(env.staff);
  expect(await answer(click(controls, 'ticket-claim', ticket.id, env.demo.mod.id))).toContain(`<@${env.staff}> has already claimed this ticket.`);
  expect(await answer(click(controls, 'ticket-claim', ticket.id, env.demo.admin.id))).toBe('You claimed this ticket.');
  expect((await env.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).claimedBy).toBe(env.demo.admin.id);

  // The ticket commands act on the channel they are used in: elsewhere they are refused.
  expect(await answer(env.discord.slash(env.guildId, env.staff, 'ticket', { reason: 'x' }, { subcommand: 'close', channelId: env.panelChannel }))).toBe('Use this in the ticket’s own channel.');
  expect(await flowStatus(env, ticket)).toBe('RUNNING');
});

it('close: the transcript (every message and attachment) is posted and DMed before the channel is deleted; the rating is kept', async () => {
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  env.discord.postMessage(ticket.channelId, opener, 'Here is my receipt', { attachments: [{ filename: 'receipt.png', contentType: 'image/png' }] });
  env.discord.postMessage(ticket.channelId, env.staff, 'Thanks <b>checking</b>', { attachments: [{ filename: 'steps.txt' }] });
  env.discord.postMessage(ticket.channelId, opener, 'It works now!');
  expect(await closeWithReason(ticket, opener, 'Solved, thanks')).toBe('The ticket is closed.');
  const posted = await env.discord.waitFor(() => env.discord.messages(env.transcriptChannel).find((m) => embedOf(m).title === 'Transcript: 🛟 Support ticket #1' && m.content === '' && m.attachments.length && embedOf(m).description?.includes(`<@${opener}>`)), 15_000, 'the transcript post');
  const dm = await env.discord.waitFor(() => env.discord.dms(opener).find((m) => embedOf(m).title?.includes('was closed')), 15_000, 'the close DM');
  expect(embedOf(dm).description).toContain('Reason: Solved, thanks');
  for (const file of [posted.attachments[0]!, dm.attachments[0]!]) {
    expect(file.filename).toBe(`transcript-${ticket.id}.html`);
    const html = file.data.toString('utf8');
    for (const text of ['Here is my receipt', 'Thanks &lt;b&gt;checking&lt;/b&gt;', 'It works now!', 'receipt.png', 'steps.txt', 'What happened?']) expect(html).toContain(text);
  }
  // Both happened while the channel still existed: it goes only after the delay.
  const deletedAt = (await channelGone(ticket.channelId), Date.now());
  expect(Math.max(posted.at, dm.at)).toBeLessThan(deletedAt);
  const download = await fetch(`${env.apiBase}/tickets/${ticket.id}/transcript?format=json`, { headers: { authorization: `Bearer ${env.modToken}` } });
  expect(download.headers.get('content-disposition')).toBe(`attachment; filename="transcript-${ticket.id}.json"`);
  const json = (await download.json()) as { messages: { content: string; attachments: { filename: string }[] }[] };
  expect(json.messages.flatMap((m) => m.attachments.map((a) => a.filename))).toEqual(['receipt.png', 'steps.txt']);
  const row = await rowOf(env, ticket.id, 'closed');
  expect(row).toMatchObject({ closedBy: opener, closeReason: 'Solved, thanks' });
  expect(await answer(env.discord.clickButton(dm, `gf:ticket-rate:4.${ticket.id}`, env.demo.member.id))).toContain('Only the member who opened');
  expect(await answer(env.discord.clickButton(dm, `gf:ticket-rate:4.${ticket.id}`, opener))).toContain('★★★★');
  expect((await env.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).rating).toBe(4);
  await eventually(async () => (await flowStatus(env, ticket)) === 'COMPLETED', 'the flow to complete');
});

it('the transcript cannot be posted (the bot denied in the transcript channel): the channel is kept and the admins told', async () => {
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  env.discord.denyPermission({ channelId: env.transcriptChannel });
  try {
    await closeWithReason(ticket, env.staff, 'done');
    const notice = await env.discord.waitFor(() => env.discord.allMessages().find((m) => m.content.includes(`Ticket ${ticket.id} is closed, but its transcript could not be posted`)), 20_000, 'the admin notice');
    expect(notice.content).toContain(`<#${ticket.channelId}> is kept`);
    await eventually(async () => (await flowStatus(env, ticket)) === 'COMPLETED', 'the flow to complete');
    expect(env.discord.channel(ticket.channelId)).toBeDefined();
    expect((await env.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('closed');
  } finally {
    env.discord.clearFaults();
  }
});

it('Reopen within the delay cancels the deletion; the ticket can be closed again', async () => {
  await env.api('PATCH', '/tickets/settings', { closeDelaySeconds: 30 });
  try {
    const opener = newMember(env);
    await openWithForm(env, opener);
    const ticket = await openTicketOf(env, opener);
    // The opener lets a friend in (Add member → the member picker); the friend is not staff.
    const helper = newMember(env);
    expect(env.discord.canView(ticket.channelId, helper)).toBe(false);
    const picker = click(await controlsOf(env, ticket), 'ticket-add', ticket.id, opener);
    await picker.waitForResponse();
    expect(await answer(env.discord.selectMenu(picker.original()!, `gf:ticket-add-pick:${ticket.id}`, opener, [helper]))).toBe(`<@${helper}> can now see this ticket.`);
    expect(env.discord.canView(ticket.channelId, helper)).toBe(true);
    await closeWithReason(ticket, env.staff, 'Looks done');
    const closing = await env.discord.waitFor(() => env.discord.messages(ticket.channelId).find((m) => embedOf(m).title === 'Ticket closed'), 15_000, 'the closing notice');
    expect(await answer(click(closing, 'ticket-reopen', ticket.id, helper))).toContain('Only the ticket’s staff or the member who opened it');
    expect(await answer(click(closing, 'ticket-reopen', ticket.id, opener))).toBe('The ticket is open again: the channel stays.');
    await rowOf(env, ticket.id, 'open');
    expect(env.discord.channel(ticket.channelId)).toBeDefined();
    expect(await flowStatus(env, ticket)).toBe('RUNNING');
    // Closed again through the API: still there until its delay passes.
    expect((await env.api('POST', `/tickets/${ticket.id}/close`, { reason: 'For real' }, env.modToken)).status).toBe(200);
    expect(await rowOf(env, ticket.id, 'closing')).toMatchObject({ closeReason: 'For real', closedBy: null });
  } finally {
    await env.api('PATCH', '/tickets/settings', { closeDelaySeconds: 3 });
  }
});

it('inactivity: a warning, then the ticket closes by itself; a message after the warning keeps it open', async () => {
  expect((await env.api('PATCH', `/tickets/types/${env.typeId}`, { idleSeconds: 6, graceSeconds: 2 })).status).toBe(200);
  try {
    const quiet = newMember(env);
    const talker = newMember(env);
    await Promise.all([openWithForm(env, quiet), openWithForm(env, talker)]);
    const [q, t] = await Promise.all([openTicketOf(env, quiet), openTicketOf(env, talker)]);
    const warned = (channelId: string) => env.discord.waitFor(() => env.discord.messages(channelId).find((m) => embedOf(m).title === 'This ticket is quiet'), 20_000, 'the idle warning');
    await Promise.all([warned(q.channelId), warned(t.channelId)]);
    env.discord.postMessage(t.channelId, talker, 'still here!');

    // Both were on the same schedule: when the quiet one closes (2 s after its warning), the talker's
    // message has given theirs a fresh idle period (6 s): open, with no second warning.
    expect(await rowOf(env, q.id, 'closing')).toMatchObject({ closedBy: null, closeReason: 'No activity' });
    expect((await env.prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).status).toBe('open');
    expect(env.discord.messages(t.channelId).filter((m) => embedOf(m).title === 'This ticket is quiet')).toHaveLength(1);
    expect(await closeWithReason(t, talker, 'done')).toBe('The ticket is closed.');
    await channelGone(q.channelId);
    await rowOf(env, q.id, 'closed');
  } finally {
    await env.api('PATCH', `/tickets/types/${env.typeId}`, { idleSeconds: 172800, graceSeconds: 86400 });
  }
});

it('a worker restarted while a ticket waits: Close still closes it and the channel goes', async () => {
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  await controlsOf(env, ticket);
  await env.restartWorker();
  expect(await closeWithReason(ticket, opener, 'after restart')).toBe('The ticket is closed.');
  await channelGone(ticket.channelId);
  await rowOf(env, ticket.id, 'closed');
});

it('the channel deleted by hand: the ticket is recorded deleted and its flow ends', async () => {
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  await controlsOf(env, ticket);
  env.discord.deleteChannel(ticket.channelId);
  await rowOf(env, ticket.id, 'deleted');
  await eventually(async () => (await flowStatus(env, ticket)) === 'COMPLETED', 'the flow to complete');
  const list = await env.api('GET', `/tickets?member=${opener}`, undefined, env.modToken);
  expect(list.body).toMatchObject({ items: [{ id: ticket.id, status: 'deleted' }] });
  const one = await env.api('GET', `/tickets/${ticket.id}`, undefined, env.modToken);
  expect(one.body).toMatchObject({ id: ticket.id, workflow: { status: 'COMPLETED' } });
});

it('types through the API: audited, only this server’s roles; the Manage tickets grant makes a member staff; stats', async () => {
  const other = env.discord.createGuild({ name: 'Elsewhere' });
  const foreignRole = env.discord.createRole(other.id, { name: 'theirs' }).id;
  expect((await env.api('POST', '/tickets/types', { name: 'Appeals', staffRoleIds: [foreignRole] })).status).toBeGreaterThanOrEqual(400);
  expect((await env.api('POST', '/tickets/types', { name: 'Appeals', staffRoleIds: [env.staffRole] }, env.modToken)).status).toBe(403);
  const created = await env.api('POST', '/tickets/types', { name: 'Appeals', questions: [{ label: 'Why?' }], openLimit: 2 });
  expect(created).toMatchObject({ status: 201, body: { name: 'Appeals', openLimit: 2, questions: [{ label: 'Why?', long: false, required: true }] } });
  const id = created.body.id as string;
  expect((await env.api('POST', '/tickets/types', { name: 'Appeals' })).body.error?.code).toBe('ticket_state');
  expect((await env.api('PATCH', `/tickets/types/${id}`, { questions: Array.from({ length: 6 }, (_, i) => ({ label: `Q${i}` })) })).status).toBe(400);
  expect((await env.api('PATCH', `/tickets/types/${id}`, { welcome: 'Explain your appeal.' })).body).toMatchObject({ welcome: 'Explain your appeal.' });
  expect((await env.api('DELETE', `/tickets/types/${id}`)).status).toBe(200);
  expect((await env.api('GET', `/tickets/types/${id}`, undefined, env.modToken)).status).toBe(404);
  const audit = await env.prisma.auditEvent.findMany({ where: { guildId: env.guildId, targetType: 'ticket_type', targetId: id }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['ticket_type.created', 'ticket_type.updated', 'ticket_type.deleted']);

  // A plain member with the grant claims like staff (and, granted before the ticket opened, sees it).
  const helper = newMember(env);
  expect((await env.api('POST', '/grants', { permission: 'manage_tickets', subjectType: 'user', subjectId: helper })).status).toBe(201);
  const opener = newMember(env);
  await openWithForm(env, opener);
  const ticket = await openTicketOf(env, opener);
  expect(env.discord.canView(ticket.channelId, helper)).toBe(true);
  expect(await answer(click(await controlsOf(env, ticket), 'ticket-claim', ticket.id, helper))).toBe('You claimed this ticket.');
  env.discord.postMessage(ticket.channelId, helper, 'On it');
  await eventually(() => env.prisma.ticket.findFirst({ where: { id: ticket.id, firstResponseAt: { not: null } } }), 'the first response');

  const stats = await env.api('GET', '/tickets/stats?days=7', undefined, env.modToken);
  expect(stats.status).toBe(200);
  const days = stats.body.days as { opened: number; closed: number }[];
  expect(days.reduce((n, d) => n + d.opened, 0)).toBe(await env.prisma.ticket.count({ where: { guildId: env.guildId } }));
  const rated = await env.prisma.ticket.findMany({ where: { guildId: env.guildId, rating: { not: null } } });
  expect((stats.body.ratings as { count: number }).count).toBe(rated.length);
  expect(stats.body.medianFirstResponseSeconds).toEqual(expect.any(Number));
  expect(stats.body.medianResolutionSeconds).toEqual(expect.any(Number));
});
