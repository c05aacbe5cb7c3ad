import { restoreOnJoin } from '../../bot/commands/verify/rejoin';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { startE2E, type E2E } from '../e2e/harness';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { embedOf } from '../verify/helpers';

/**
 * Rejoin restore, /update and group-rank binds through the production stack (startE2E: worker, API and bot
 * against the fake Discord and the fake Roblox, whose groups API the production client reads).
 */
describe('verified members: rejoin, /update, group-rank binds', () => {
  let e2e: E2E;
  let guildId: string;
  let tokens: { mod: string; admin: string };
  let seq = 0;
  /** Created before the first scope check: the API's guild directory caches a guild's roles for a minute. */
  let roles: Record<'ranked' | 'high' | 'low' | 'other' | 'apiBound', { id: string }>;
  const log = createLogger({ level: 'silent', pretty: false });

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({
      where: { guildId },
      data: {
        adminRoleIds: [e2e.demo.roles.admin.id],
        modRoleIds: [e2e.demo.roles.mod.id],
        adminLogChannelId: e2e.demo.channels.adminLog.id,
        verifiedRoleId: e2e.demo.roles.verified.id,
        unverifiedRoleId: e2e.demo.roles.unverified.id,
      },
    });
    const make = async (level: 'mod' | 'admin') => (await createApiToken(e2e.prisma, { guildId, name: `binds-${level}`, level, createdBy: 'test', creatorLevel: 'owner' })).token;
    tokens = { mod: await make('mod'), admin: await make('admin') };
    const role = (name: string) => e2e.discord.createRole(guildId, { name });
    roles = { ranked: role('Rejoin Rank 5+'), high: role('Rank 5+'), low: role('Recruit'), other: role('Artist'), apiBound: role('Api Bound') };
  });
  afterAll(() => e2e?.close());

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/verify${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // Bodies are checked field by field with toMatchObject, so a loose type is enough here.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };
  const newMember = (name: string, roles = [e2e.demo.roles.unverified.id]) => {
    const u = e2e.discord.createUser({ username: `${name}-${(seq += 1)}` });
    e2e.discord.addMember(guildId, u.id, { roles });
    return u.id;
  };
  const answer = (h: InteractionHandle): Promise<MessageRecord> =>
    e2e.discord.waitFor(() => {
      const m = h.original();
      return m && m.embeds.length && m.embeds[0]!.title !== 'Verifying…' ? m : undefined;
    }, 30_000, 'the answer');
  const rolesOf = (userId: string) => e2e.discord.member(guildId, userId)?.roles ?? [];
  const waitForRoles = (userId: string, pred: (roles: string[]) => boolean, what: string) =>
    e2e.discord.waitFor(() => (pred(rolesOf(userId)) ? true : undefined), 30_000, what);
  /** An admin links the member without the phrase (the verification's own steps, then its bind roles). */
  const verify = async (userId: string, robloxName: string) => {
    const h = e2e.discord.slash(guildId, e2e.demo.admin.id, 'verify-admin', { user: userId, username: robloxName }, { subcommand: 'force' });
    expect(embedOf(await answer(h)).title).toBe(`Verified as ${robloxName}`);
  };
  const update = async (callerId: string, member?: string) => embedOf(await answer(e2e.discord.slash(guildId, callerId, 'update', member ? { member } : {})));
  const bind = async (groupId: number, roleId: string, minRank: number, maxRank: number) => {
    const r = await api('POST', '/binds', tokens.admin, { groupId, roleId, minRank, maxRank });
    expect(r.status).toBe(201);
    return r.body!.bind as { id: string };
  };

  it('a verified member who leaves and rejoins gets the verified role, the nickname and the bind roles back; a duplicated join starts one flow', async () => {
    const { ranked } = roles;
    await bind(4242, ranked.id, 5, 255);
    const user = newMember('rejoiner');
    const rbx = e2e.roblox.addUser({ name: 'Rejoiner' });
    e2e.roblox.setGroups(rbx.id, [{ groupId: 4242, rank: 7 }]);
    await verify(user, 'Rejoiner');
    // Verification's success gives the bind roles too.
    await waitForRoles(user, (r) => r.includes(ranked.id), 'the bind role after verification');
    expect(e2e.discord.member(guildId, user)?.nick).toBe('Rejoiner');

    e2e.discord.removeMember(guildId, user);
    // An auto-role bot gives newcomers the unverified role: Guildflow takes it off again.
    e2e.discord.addMember(guildId, user, { roles: [e2e.demo.roles.unverified.id] });
    await waitForRoles(user, (r) => r.includes(e2e.demo.roles.verified.id) && r.includes(ranked.id) && !r.includes(e2e.demo.roles.unverified.id), 'the roles back after the rejoin');
    await e2e.discord.waitFor(() => (e2e.discord.member(guildId, user)?.nick === 'Rejoiner' ? true : undefined), 10_000, 'the nickname back');
    expect(rolesOf(user).sort()).toEqual([e2e.demo.roles.verified.id, ranked.id].sort());

    // The same join event delivered again finds the flow the first one started.
    const joinedAtMs = Date.parse(e2e.discord.member(guildId, user)!.joined_at!);
    const again = await restoreOnJoin({ prisma: e2e.prisma, temporal: e2e.temporal, taskQueue: e2e.taskQueue, log }, { guildId, userId: user, joinedAtMs });
    expect(again).toEqual({ workflowId: `member-roles:${guildId}:${user}:join-${joinedAtMs}`, started: false });
    await e2e.waitForWorkflow(again!.workflowId, 'COMPLETED');
    expect(await e2e.workflowResult(again!.workflowId)).toMatchObject({ status: 'applied', added: expect.arrayContaining([e2e.demo.roles.verified.id, ranked.id]), removed: [e2e.demo.roles.unverified.id], nickname: 'Rejoiner' });

    // A member without a link joining: nothing started, nothing changed.
    const stranger = newMember('stranger');
    const none = await restoreOnJoin({ prisma: e2e.prisma, temporal: e2e.temporal, taskQueue: e2e.taskQueue, log }, { guildId, userId: stranger, joinedAtMs: Date.parse(e2e.discord.member(guildId, stranger)!.joined_at!) });
    expect(none).toBeNull();
    expect(rolesOf(stranger)).toEqual([e2e.demo.roles.unverified.id]);

    // With verification switched off in the server, a linked member's join starts nothing.
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { disabledFeatures: ['verification'] } });
    try {
      expect(await restoreOnJoin({ prisma: e2e.prisma, temporal: e2e.temporal, taskQueue: e2e.taskQueue, log }, { guildId, userId: user, joinedAtMs: joinedAtMs + 1 })).toBeNull();
    } finally {
      await e2e.prisma.guildSettings.update({ where: { guildId }, data: { disabledFeatures: [] } });
    }
  }, 90_000);

  it('/update follows rank changes: bound roles added and removed, other roles untouched; "Nothing to change"; a Roblox outage changes nothing', async () => {
    const { high, low, other } = roles;
    await bind(5151, high.id, 5, 255);
    await bind(5151, low.id, 1, 4);
    const user = newMember('climber', [e2e.demo.roles.unverified.id, other.id]);
    const rbx = e2e.roblox.addUser({ name: 'Climber' });
    e2e.roblox.setGroups(rbx.id, [{ groupId: 5151, rank: 2 }, { groupId: 9999, rank: 200 }]);
    await verify(user, 'Climber');
    await waitForRoles(user, (r) => r.includes(low.id), 'the Recruit role after verification');
    expect(rolesOf(user)).not.toContain(high.id);

    e2e.roblox.setGroups(rbx.id, [{ groupId: 5151, rank: 6 }]);
    const promoted = await update(user);
    expect(promoted.description).toBe(`Added <@&${high.id}>; Removed <@&${low.id}>.`);
    expect(rolesOf(user).sort()).toEqual([e2e.demo.roles.verified.id, high.id, other.id].sort());

    expect((await update(user)).description).toBe('Nothing to change.');

    // Roblox down: a clear answer, and the role the member may no longer qualify for stays.
    e2e.roblox.setGroups(rbx.id, []);
    e2e.roblox.inject({ route: /^\/v2\/users\/\d+\/groups\/roles/, status: 503 });
    try {
      const down = await update(user);
      expect(down.title).toBe('Update');
      expect(down.description).toMatch(/^Nothing was changed: Roblox answered 503 while Guildflow tried to read the Roblox groups of \d+\./);
    } finally {
      e2e.roblox.clearFaults();
    }
    expect(rolesOf(user).sort()).toEqual([e2e.demo.roles.verified.id, high.id, other.id].sort());

    expect((await update(user)).description).toBe(`Removed <@&${high.id}>.`);
    expect(rolesOf(user).sort()).toEqual([e2e.demo.roles.verified.id, other.id].sort());
  }, 120_000);

  it('a member cannot /update someone else; a mod can, only for members of the server; an unlinked member is told', async () => {
    const target = newMember('target');
    e2e.roblox.addUser({ name: 'TargetPlayer' });
    await verify(target, 'TargetPlayer');
    const nosy = newMember('nosy');
    const refused = e2e.discord.slash(guildId, nosy, 'update', { member: target });
    await refused.waitForResponse();
    expect(JSON.stringify(refused.responses())).toContain('Only a server mod or above can update another member');
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, targetId: target, action: { startsWith: 'roblox_group_bind' } } })).toBe(0);

    expect((await update(e2e.demo.mod.id, target)).description).toMatch(/^(Nothing to change\.|Added .*)$/);
    const outsider = e2e.discord.createUser({ username: `outsider-${(seq += 1)}` });
    const notMember = e2e.discord.slash(guildId, e2e.demo.mod.id, 'update', { member: outsider.id });
    await notMember.waitForResponse();
    expect(JSON.stringify(notMember.responses())).toContain('is not a member of this server');

    expect((await update(nosy)).description).toBe('You have no linked Roblox account: use /verify first.');
    expect(rolesOf(nosy)).toEqual([e2e.demo.roles.unverified.id]);
  }, 90_000);

  it('bind API: admins only, the role must be the guild’s, ranks validated, duplicates refused, audited; /binds in Discord', async () => {
    const role = roles.apiBound;
    const elsewhere = e2e.discord.createGuild({ name: 'Somewhere else' });
    const foreign = e2e.discord.createRole(elsewhere.id, { name: 'Foreign' });
    const body = { groupId: 777, roleId: role.id, minRank: 10, maxRank: 20 };

    expect((await api('POST', '/binds', tokens.mod, body)).status).toBe(403);
    expect((await api('GET', '/binds', tokens.mod)).status).toBe(403);
    const wrongGuild = await api('POST', '/binds', tokens.admin, { ...body, roleId: foreign.id });
    expect(wrongGuild).toMatchObject({ status: 400, body: { error: { code: 'not_in_guild' } } });
    const badRanks = await api('POST', '/binds', tokens.admin, { ...body, minRank: 30, maxRank: 20 });
    expect(badRanks.status).toBe(400);
    expect(badRanks.body?.error.message).toMatch(/minRank/);
    expect((await api('POST', '/binds', tokens.admin, { ...body, maxRank: 256 })).status).toBe(400);
    expect(await e2e.prisma.robloxGroupBind.count({ where: { groupId: 777n } })).toBe(0);

    const created = await api('POST', '/binds', tokens.admin, body);
    expect(created).toMatchObject({ status: 201, body: { bind: { groupId: '777', roleId: role.id, minRank: 10, maxRank: 20 } } });
    expect((await api('POST', '/binds', tokens.admin, body)).status).toBe(409);
    expect((await api('GET', '/binds', tokens.admin)).body?.binds).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.body!.bind.id, groupId: '777' })]));
    expect(await e2e.prisma.auditEvent.findMany({ where: { guildId, action: 'roblox_group_bind.created', targetId: role.id }, select: { actorType: true } })).toEqual([{ actorType: 'api_token' }]);

    // In Discord: admins list and add (the role option is checked too); members cannot.
    const list = e2e.discord.slash(guildId, e2e.demo.admin.id, 'binds', {}, { subcommand: 'list' });
    await list.waitForResponse();
    expect(embedOf(list.original()).description).toContain(`\`${created.body!.bind.id}\` group 777, ranks 10-20 → <@&${role.id}>`);
    const add = e2e.discord.slash(guildId, e2e.demo.admin.id, 'binds', { group: 778, role: role.id, min: 1, max: 1 }, { subcommand: 'add' });
    await add.waitForResponse();
    expect(embedOf(add.original()).title).toBe('Bind added');
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'roblox_group_bind.created', actorId: `discord:${e2e.demo.admin.id}` } })).toBe(1);
    const member = newMember('binder');
    const denied = e2e.discord.slash(guildId, member, 'binds', {}, { subcommand: 'list', ignoreCommandPermissions: true });
    await denied.waitForResponse();
    expect(JSON.stringify(denied.responses())).toContain('Only a server admin');

    expect((await api('DELETE', `/binds/${created.body!.bind.id}`, tokens.admin)).status).toBe(200);
    expect((await api('DELETE', `/binds/${created.body!.bind.id}`, tokens.admin)).status).toBe(404);
    expect(await e2e.prisma.robloxGroupBind.count({ where: { groupId: 777n } })).toBe(0);
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'roblox_group_bind.removed', targetId: role.id } })).toBe(1);
  }, 60_000);
});
