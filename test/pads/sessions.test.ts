import { answer, announcementOf, embedOf, endedSession, runOf, start, startPadsEnv, type PadsEnv } from './helpers';
import { buttonsOf, field } from '../tasks/helpers';
import { eventually } from '../sync/helpers';
import { endPadSession } from '../../lib/flows/pads.client';

/**
 * Training and tryout sessions through the production bot and worker against the fake Discord: the
 * workflow id books the pad, the End button and `/pad end` are checked twice (bot and flow), the
 * maximum duration (seconds here, from the settings through the input) ends a session after reminding
 * its host, and neither a worker restart nor Discord refusing the edit stops a session from ending.
 */
jest.setTimeout(120_000);

let env: PadsEnv;
beforeAll(async () => {
  env = await startPadsEnv();
});
afterAll(() => env?.stop());

const endClick = (post: Parameters<PadsEnv['discord']['clickButton']>[0], pad: number, userId: string) => env.discord.clickButton(post, `gf:pad-end:${pad}`, userId);
const status = async (pad: number) => (await env.temporal.client.workflow.getHandle(`pad:${env.guildId}:${pad}`).describe()).status.name;
const waitCompleted = (pad: number) => eventually(async () => (await status(pad)) === 'COMPLETED', `pad ${pad}'s flow to complete`);

it('two hosts start on one pad at the same instant: one session, one announcement, the other told who holds it', async () => {
  const [a, b] = env.hosts;
  const first = start(env, a, 'training', 1, 'Cadet drills');
  const second = start(env, b, 'tryout', 1);
  const replies = await Promise.all([answer(first), answer(second)]);
  const won = replies.filter((r) => r.includes('started on pad 1'));
  const lost = replies.filter((r) => r.includes('Pad 1 is taken'));
  expect([won.length, lost.length]).toEqual([1, 1]);
  const rows = await eventually(async () => {
    const r = await env.prisma.padSession.findMany({ where: { guildId: env.guildId, pad: 1 } });
    return r.length ? r : null;
  }, 'the session row');
  expect(rows).toHaveLength(1);
  const winner = rows[0]!.hostId;
  const loser = winner === a ? b : a;
  expect(lost[0]).toContain(`<@${winner}> is hosting a ${rows[0]!.type}`);
  expect(replies[winner === a ? 1 : 0]).toBe(lost[0]);
  expect(loser).not.toBe(winner);

  const post = await announcementOf(env, 1);
  expect(env.discord.messages(env.sessionsChannel).filter((m) => embedOf(m).title?.endsWith('on pad 1'))).toHaveLength(1);
  expect(field(post, 'Host')).toBe(`<@${winner}>`);
  expect(buttonsOf(post).map((x) => x.label)).toEqual(['End session']);

  // A member who is not the host presses End: refused by the bot, the session runs on.
  const refused = await answer(endClick(post, 1, env.demo.member.id));
  expect(refused).toContain(`Only the host <@${winner}> or an admin`);
  // So is the other host with /pad end.
  expect(await answer(env.discord.slash(env.guildId, loser, 'pad', { pad: 1 }, { subcommand: 'end' }))).toContain('Only the host');
  expect(await status(1)).toBe('RUNNING');

  // An admin's /pad end is a force end.
  const run = await runOf(env, 1);
  expect(await answer(env.discord.slash(env.guildId, env.demo.admin.id, 'pad', { pad: 1 }, { subcommand: 'end' }))).toContain('Ended by an admin');
  expect(await endedSession(env, run)).toMatchObject({ endReason: 'admin', endedBy: env.demo.admin.id });
  const edited = await eventually(() => {
    const m = env.discord.message(post.id);
    return embedOf(m).title?.endsWith('ended') ? m : null;
  }, 'the announcement edited');
  expect(field(edited, 'Ended by')).toBe(`<@${env.demo.admin.id}> (admin)`);
  expect(field(edited, 'Duration')).toMatch(/^\d+s$/);
  expect(buttonsOf(edited)).toEqual([]);
  await waitCompleted(1);
});

it('the maximum duration ends a session, after a reminder to the host; the announcement says so', async () => {
  const patched = await env.api('PATCH', '/pads/settings', { tryoutMaxSeconds: 4, reminderLeadSeconds: 2 });
  expect(patched.status).toBe(200);
  try {
    const host = env.hosts[1];
    expect(await answer(start(env, host, 'tryout', 2))).toContain('Tryout started on pad 2');
    const run = await runOf(env, 2);
    const post = await announcementOf(env, 2);
    const reminder = await env.discord.waitFor(() => env.discord.dms(host).find((m) => embedOf(m).title === 'Your tryout on pad 2 ends soon'), 15_000, 'the reminder DM');
    const row = await endedSession(env, run);
    expect(row).toMatchObject({ endReason: 'max_duration', endedBy: null });
    expect(Date.parse(reminder.timestamp)).toBeLessThan(row.endedAt!.getTime());
    const edited = await eventually(() => {
      const m = env.discord.message(post.id);
      return embedOf(m).title === 'Tryout on pad 2 — ended' ? m : null;
    }, 'the announcement edited');
    expect(field(edited, 'Ended by')).toBe('the maximum duration');
    await waitCompleted(2);
  } finally {
    await env.api('PATCH', '/pads/settings', { tryoutMaxSeconds: 3600, reminderLeadSeconds: 600 });
  }
});

it('an admin force-ends through the API; a pad with nothing running is 409 pad_free', async () => {
  expect(await answer(start(env, env.hosts[0], 'training', 3))).toContain('started on pad 3');
  const run = await runOf(env, 3);
  await announcementOf(env, 3);
  expect((await env.api('POST', '/pads/3/end', undefined, env.modToken)).status).toBe(403);
  const ended = await env.api('POST', '/pads/3/end');
  expect(ended).toMatchObject({ status: 200, body: { endReason: 'admin', endedBy: null } });
  expect(await endedSession(env, run)).toMatchObject({ endReason: 'admin' });
  await waitCompleted(3);
  expect((await env.api('POST', '/pads/3/end')).body.error?.code).toBe('pad_free');
  expect((await env.api('POST', '/pads/9/end')).body.error?.code).toBe('pad_free');
  expect((await env.api('POST', '/pads/10/end')).status).toBe(400);
});

it('a worker restarted mid-session: the host’s End button still ends it', async () => {
  const host = env.hosts[0];
  expect(await answer(start(env, host, 'training', 4))).toContain('started on pad 4');
  const run = await runOf(env, 4);
  const post = await announcementOf(env, 4);
  await env.restartWorker();
  expect(await answer(endClick(post, 4, host))).toContain('Ended by its host');
  expect(await endedSession(env, run)).toMatchObject({ endReason: 'host', endedBy: host });
  await eventually(() => embedOf(env.discord.message(post.id)).title === 'Training on pad 4 — ended', 'the announcement edited');
  await waitCompleted(4);
});

it('Discord refusing the edit: the session still ends and is recorded, the flow completes', async () => {
  const host = env.hosts[1];
  expect(await answer(start(env, host, 'training', 2, 'Edit me if you can'))).toContain('started on pad 2');
  const run = await runOf(env, 2);
  const post = await announcementOf(env, 2);
  env.discord.denyPermission({ channelId: env.sessionsChannel, method: 'PATCH' });
  try {
    expect(await answer(env.discord.slash(env.guildId, host, 'pad', { pad: 2 }, { subcommand: 'end' }))).toContain('Ended by its host');
    expect(await endedSession(env, run)).toMatchObject({ endReason: 'host' });
    await waitCompleted(2);
    expect(embedOf(env.discord.message(post.id)).title).toBe('Training on pad 2');
  } finally {
    env.discord.clearFaults();
  }
});

it('/pads shows which pads are busy and which are free', async () => {
  const host = env.hosts[0];
  expect(await answer(start(env, host, 'tryout', 3))).toContain('started on pad 3');
  await announcementOf(env, 3);
  const board = await answer(env.discord.slash(env.guildId, env.demo.member.id, 'pads'));
  expect(board).toContain(`**Pad 3** — Tryout by <@${host}> since <t:`);
  for (const free of [1, 2, 4]) expect(board).toContain(`**Pad ${free}** — free`);
  expect(board).not.toContain('Pad 5');
  await env.api('POST', '/pads/3/end');
  await waitCompleted(3);
  expect(await answer(env.discord.slash(env.guildId, env.demo.member.id, 'pads'))).toContain('**Pad 3** — free');
});

it('members without a host role cannot start; settings name only this server’s channels and roles', async () => {
  expect(await answer(start(env, env.demo.member.id, 'training', 1))).toContain('Only hosts can start sessions');
  const other = env.discord.createGuild({ name: 'Elsewhere' });
  const foreign = env.discord.createChannel(other.id, { name: 'theirs' }).id;
  const refused = await env.api('PATCH', '/pads/settings', { sessionsChannelId: foreign });
  expect(refused.status).toBeGreaterThanOrEqual(400);
  expect((await env.prisma.padSettings.findUniqueOrThrow({ where: { guildId: env.guildId } })).sessionsChannelId).toBe(env.sessionsChannel);
  expect((await env.api('PATCH', '/pads/settings', { padCount: 10 })).status).toBe(400);
  expect(await env.prisma.auditEvent.count({ where: { guildId: env.guildId, action: 'pad_settings.updated' } })).toBeGreaterThanOrEqual(3);
});

it('the Host sessions grant lets one member host; removed, it no longer does', async () => {
  const member = env.demo.member.id;
  const granted = await env.api('POST', '/grants', { permission: 'host_sessions', subjectType: 'user', subjectId: member });
  expect(granted.status).toBe(201);
  expect(await answer(start(env, member, 'training', 4, 'Granted host'))).toContain('started on pad 4');
  const session = await eventually(() => env.prisma.padSession.findFirst({ where: { guildId: env.guildId, pad: 4, hostId: member, endedAt: null } }), 'the granted host’s session');
  expect(session.hostId).toBe(member);
  await answer(env.discord.slash(env.guildId, member, 'pad', { pad: 4 }, { subcommand: 'end' }));
  await waitCompleted(4);
  const grantId = (granted.body.grant as { id: number }).id;
  expect((await env.api('DELETE', `/grants/${grantId}`)).status).toBe(200);
  expect(await answer(start(env, member, 'training', 4))).toContain('Only hosts can start sessions');
  expect(await env.prisma.padSession.count({ where: { guildId: env.guildId, hostId: member } })).toBe(1);
});

it('API: the board, the history (cursor paged, by host) and minutes per host and type', async () => {
  const board = await env.api('GET', '/pads', undefined, env.modToken);
  expect(board.status).toBe(200);
  expect((board.body.pads as { pad: number; session: unknown }[]).map((p) => [p.pad, p.session])).toEqual([
    [1, null],
    [2, null],
    [3, null],
    [4, null],
  ]);
  const [a] = env.hosts;
  const mine = await env.prisma.padSession.count({ where: { guildId: env.guildId, hostId: a } });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<PadsEnv['api']>> = await env.api('GET', `/pads/sessions?host=${a}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, env.modToken);
    expect(page.status).toBe(200);
    const items = page.body.items as { id: string; hostId: string; minutes: number | null }[];
    expect(items.every((s) => s.hostId === a)).toBe(true);
    seen.push(...items.map((s) => s.id));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  expect(seen).toHaveLength(mine);
  expect(new Set(seen).size).toBe(mine);

  const stats = await env.api('GET', `/pads/stats?host=${a}`, undefined, env.modToken);
  const rows = stats.body.items as { hostId: string; type: string; sessions: number; minutes: number }[];
  const expected = await env.prisma.padSession.groupBy({ by: ['type'], where: { guildId: env.guildId, hostId: a, endedAt: { not: null } }, _count: true });
  expect(rows.map((r) => [r.hostId, r.type, r.sessions]).sort()).toEqual(expected.map((e) => [a, e.type, e._count]).sort());
  expect(rows.every((r) => r.minutes >= 0)).toBe(true);
});

it('the flow checks an end again: a member who is not the host, or another server, is refused even past the bot', async () => {
  expect(await answer(start(env, env.hosts[0], 'training', 1))).toContain('started on pad 1');
  await announcementOf(env, 1);
  const member = { guildId: env.guildId, userId: env.demo.member.id, level: 'user' as const };
  await expect(endPadSession(env.temporal.client, env.guildId, 1, member)).rejects.toThrow(`Only the host <@${env.hosts[0]}> or an admin can end this session.`);
  await expect(endPadSession(env.temporal.client, env.guildId, 1, { guildId: '1', userId: env.hosts[0], level: 'owner' })).rejects.toThrow('This session belongs to another server.');
  expect(await status(1)).toBe('RUNNING');
  expect(await endPadSession(env.temporal.client, env.guildId, 1, { guildId: env.guildId, userId: env.hosts[0], level: 'user' })).toEqual({ endedBy: env.hosts[0], endReason: 'host' });
  await waitCompleted(1);
});
