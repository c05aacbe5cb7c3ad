import type { VerifyView } from '../../lib/flows/verify';
import { verifyWorkflowId } from '../../lib/flows/verify';
import { buttonsOf, click, embedOf, messageWhere, newMember, phraseOf, slashVerify, startVerifyEnv, type VerifyEnv } from './helpers';

/**
 * Roblox verification end to end through the fakes: /verify and the buttons through the fake Discord and
 * the production bot, the workflow on a real worker, the profile read from the fake Roblox by the
 * production client, links in PostgreSQL.
 */
describe('Roblox verification', () => {
  let env: VerifyEnv;
  let guildId: string;
  let verified: string;
  let unverified: string;

  beforeAll(async () => {
    env = await startVerifyEnv();
    guildId = env.guildId;
    verified = env.demo.roles.verified.id;
    unverified = env.demo.roles.unverified.id;
    await env.settings({ expirySeconds: 120, checksPerMinute: 10, phraseWords: 16, nicknameTemplate: '{roblox-name}' });
  });
  afterAll(() => env?.close());

  const result = (workflowId: string) => env.temporal.client.workflow.getHandle(workflowId).result() as Promise<VerifyView>;
  const link = (userId: string) => env.prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId, userId } } });
  const member = (userId: string) => env.discord.member(guildId, userId)!;
  const titled = (title: string) => (m: { embeds: { title?: string }[] }) => m.embeds[0]?.title === title;

  it('happy path: ephemeral phrase with Check/Cancel; the phrase in the profile → role, nickname, link row, workflow completed', async () => {
    const user = newMember(env, 'alice');
    const rbx = env.roblox.addUser({ name: 'RoboAlice', displayName: 'Alice R', description: 'I like trains' });
    const { h, ack, message } = await slashVerify(env, user, 'roboalice');
    expect(ack.type).toBe(5); // deferred: acknowledged before any workflow work
    expect(ack.ephemeral).toBe(true);
    expect(embedOf(message).title).toBe('Verify your Roblox account');
    const phrase = phraseOf(message);
    expect(phrase.split(' ')).toHaveLength(16);
    expect(embedOf(message).description).toContain('**RoboAlice** (Alice R)');
    expect(buttonsOf(message).map((b) => b.label)).toEqual(['Check', 'Cancel']);
    const workflowId = verifyWorkflowId(guildId, user);
    expect(embedOf(message).footer?.text).toContain(workflowId);

    env.roblox.setDescription(rbx.id, `Hello!\n${phrase}\nbye`);
    await click(env, message, 'Check', user);
    const done = await messageWhere(env, h, titled('Verified as RoboAlice'), 'the verified message');
    expect(embedOf(done).description).toContain(`<@${user}> is now linked to the Roblox account **RoboAlice** (Alice R) (id ${rbx.id})`);
    expect(embedOf(done).description).toContain(`Role given: <@&${verified}>`);
    expect(buttonsOf(done)).toEqual([]);

    expect(member(user).roles).toContain(verified);
    expect(member(user).roles).not.toContain(unverified);
    expect(member(user).nick).toBe('RoboAlice');
    const row = await link(user);
    expect(row).toMatchObject({ robloxId: BigInt(rbx.id), robloxName: 'RoboAlice', robloxDisplayName: 'Alice R', method: 'profile_phrase', workflowId, nicknameSet: 'RoboAlice', nicknameBefore: null });
    expect(Date.now() - row!.verifiedAt.getTime()).toBeLessThan(60_000);
    await env.waitForWorkflow(workflowId, 'COMPLETED');
    expect(await result(workflowId)).toMatchObject({ phase: 'verified', roleGiven: verified, nicknameSet: 'RoboAlice', checks: 1 });
    const described = await env.temporal.client.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes).toMatchObject({ GuildId: [guildId], DiscordUserId: [user], FlowKind: ['verify'] });
    expect(await described.staticSummary()).toBe(`Roblox verification of alice (${user}) as roboalice`);
    expect(await env.prisma.verification.findFirst({ where: { workflowId } })).toMatchObject({ status: 'verified', robloxName: 'RoboAlice', finishedAt: expect.any(Date) });
  });

  it('wrong phrase, then the right one: the first Check says what the profile shows and keeps waiting', async () => {
    const user = newMember(env, 'bob');
    const rbx = env.roblox.addUser({ name: 'BobBuilds', description: 'building things' });
    const { h, message } = await slashVerify(env, user, 'BobBuilds');
    const phrase = phraseOf(message);
    await click(env, message, 'Check', user);
    const miss = await messageWhere(env, h, (m) => (embedOf(m).description ?? '').includes('Not found yet'), 'the miss');
    expect(embedOf(miss).description).toContain('The profile\'s About reads: “building things”');
    expect(phraseOf(miss)).toBe(phrase);
    expect(await link(user)).toBeNull();
    const workflowId = verifyWorkflowId(guildId, user);
    expect((await env.temporal.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');

    env.roblox.setDescription(rbx.id, phrase.toUpperCase());
    await click(env, miss, 'Check', user);
    await messageWhere(env, h, titled('Verified as BobBuilds'), 'verified after the second check');
    expect((await link(user))?.robloxId).toBe(BigInt(rbx.id));
    expect(await result(workflowId)).toMatchObject({ phase: 'verified', checks: 2 });
  });

  it('an unknown username: a clear error, the flow ends, nothing changes', async () => {
    const user = newMember(env, 'carol');
    const { message } = await slashVerify(env, user, 'NoSuchUser_123');
    expect(embedOf(message).title).toBe('Verification failed');
    expect(embedOf(message).description).toContain('No Roblox account is named **NoSuchUser_123**');
    const workflowId = verifyWorkflowId(guildId, user);
    await env.waitForWorkflow(workflowId, 'COMPLETED');
    expect(await result(workflowId)).toMatchObject({ phase: 'failed' });
    const runs = [];
    for await (const w of env.temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
    expect(await link(user)).toBeNull();
    expect(member(user).roles).toEqual([unverified]);
    // A name that cannot be a Roblox username is refused by the bot before any flow starts.
    const bad = env.discord.slash(guildId, user, 'verify', { username: 'no spaces!' });
    await bad.waitForResponse();
    expect(JSON.stringify(bad.responses())).toContain('is not a Roblox username');
  });

  it('a banned account is refused', async () => {
    const user = newMember(env, 'dave');
    env.roblox.addUser({ name: 'BannedDave', isBanned: true });
    const { message } = await slashVerify(env, user, 'BannedDave');
    expect(embedOf(message).description).toContain('**BannedDave** is banned by Roblox');
    expect(await link(user)).toBeNull();
  });

  it('a second /verify joins the pending flow and shows the same phrase (one run)', async () => {
    const user = newMember(env, 'erin');
    env.roblox.addUser({ name: 'ErinPlays' });
    env.roblox.addUser({ name: 'ErinOther' });
    const first = await slashVerify(env, user, 'ErinPlays');
    const second = await slashVerify(env, user, 'ErinPlays');
    expect(phraseOf(second.message)).toBe(phraseOf(first.message));
    const third = await slashVerify(env, user, 'ErinOther');
    expect(phraseOf(third.message)).toBe(phraseOf(first.message));
    expect(embedOf(third.message).description).toContain('You already have a verification pending for **ErinPlays**');
    const workflowId = verifyWorkflowId(guildId, user);
    const runs = [];
    for await (const w of env.temporal.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
    // Cancel ends it; nothing was linked.
    await click(env, third.message, 'Cancel', user);
    await messageWhere(env, third.h, titled('Verification cancelled'), 'the cancel');
    expect(await result(workflowId)).toMatchObject({ phase: 'cancelled' });
    expect(await env.prisma.verification.findFirst({ where: { workflowId } })).toMatchObject({ status: 'cancelled' });
  });

  it('two /verify at the same instant (no flow yet): one run, both show the same phrase', async () => {
    const user = newMember(env, 'olga');
    env.roblox.addUser({ name: 'OlgaTwice' });
    const [a, b] = await Promise.all([slashVerify(env, user, 'OlgaTwice'), slashVerify(env, user, 'OlgaTwice')]);
    expect(phraseOf(a.message)).toBe(phraseOf(b.message));
    const runs = [];
    for await (const w of env.temporal.client.workflow.list({ query: `WorkflowId = '${verifyWorkflowId(guildId, user)}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
    expect(await env.prisma.verification.count({ where: { guildId, userId: user } })).toBe(1);
  });

  it('someone else’s button is refused; checks beyond the per-minute limit are refused with the wait', async () => {
    await env.settings({ checksPerMinute: 1 });
    try {
      const user = newMember(env, 'frank');
      const other = newMember(env, 'mallory');
      env.roblox.addUser({ name: 'FrankR', description: 'nothing' });
      const { h, message } = await slashVerify(env, user, 'FrankR');
      const foreign = env.discord.clickButton(message, buttonsOf(message)[0]!.custom_id, other);
      await foreign.waitForResponse();
      expect(JSON.stringify(foreign.responses())).toContain('belongs to another member');
      await click(env, message, 'Check', user);
      const miss = await messageWhere(env, h, (m) => (embedOf(m).description ?? '').includes('Not found yet'), 'the first check');
      const again = await click(env, miss, 'Check', user);
      const told = await env.discord.waitFor(() => again.h.responses().find((r) => r.kind === 'followup'), 5000, 'the limit answer');
      expect(JSON.stringify(told.data)).toMatch(/You can check 1 time a minute: try again in \d+ s/);
      expect(await env.temporal.client.workflow.getHandle(verifyWorkflowId(guildId, user)).query('status')).toMatchObject({ checks: 1, phase: 'waiting' });
    } finally {
      await env.settings({ checksPerMinute: 10 });
    }
  });

  it('expiry ends the flow with a message; nothing is linked', async () => {
    await env.settings({ expirySeconds: 5 });
    try {
      const user = newMember(env, 'gina');
      env.roblox.addUser({ name: 'GinaG' });
      const { h } = await slashVerify(env, user, 'GinaG');
      const workflowId = verifyWorkflowId(guildId, user);
      await env.waitForWorkflow(workflowId, 'COMPLETED', 20_000);
      expect(await result(workflowId)).toMatchObject({ phase: 'expired' });
      const shown = await messageWhere(env, h, titled('Verification expired'), 'the expiry message');
      expect(embedOf(shown).description).toContain('within 5 seconds');
      expect(buttonsOf(shown)).toEqual([]);
      expect(await link(user)).toBeNull();
      expect(await env.prisma.verification.findFirst({ where: { workflowId } })).toMatchObject({ status: 'expired' });
    } finally {
      await env.settings({ expirySeconds: 120 });
    }
  });

  it('the verified role above the bot’s: rolled back, the member and the admin log get the exact reason, ends failed', async () => {
    const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const high = env.discord.createRole(guildId, { name: 'Elite', position: botTop + 1 });
    await env.settings({ verifiedRoleId: high.id });
    try {
      const user = newMember(env, 'henry');
      const rbx = env.roblox.addUser({ name: 'HenryH' });
      const { h, message } = await slashVerify(env, user, 'HenryH');
      env.roblox.setDescription(rbx.id, phraseOf(message));
      await click(env, message, 'Check', user);
      const failed = await messageWhere(env, h, titled('Verification failed'), 'the failure');
      expect(embedOf(failed).description).toContain("the role @Elite is not below Guildflow's highest role");
      expect(embedOf(failed).description).toContain('Nothing was kept');
      const workflowId = verifyWorkflowId(guildId, user);
      expect(await result(workflowId)).toMatchObject({ phase: 'failed', roleGiven: null, nicknameSet: null });
      expect(await link(user)).toBeNull();
      expect(member(user).roles).toEqual([unverified]);
      expect(member(user).nick).toBeNull();
      const notice = await env.discord.waitFor(
        () => env.discord.messages(env.demo.channels.adminLog.id).find((m) => embedOf(m).footer?.text?.includes(workflowId)),
        5000,
        'the admin log notice',
      );
      expect(embedOf(notice).title).toBe('Verification failed');
      expect(embedOf(notice).description).toContain(`<@${user}> proved the Roblox account **HenryH**`);
      expect(embedOf(notice).description).toContain("@Elite is not below Guildflow's highest role");
    } finally {
      await env.settings({ verifiedRoleId: verified });
    }
  });

  it('the server owner: roles are given, the nickname is refused, and everything is undone', async () => {
    const owner = env.demo.owner.id;
    const rbx = env.roblox.addUser({ name: 'TheOwner' });
    const before = [...member(owner).roles];
    const { h, message } = await slashVerify(env, owner, 'TheOwner');
    env.roblox.setDescription(rbx.id, phraseOf(message));
    await click(env, message, 'Check', owner);
    const failed = await messageWhere(env, h, titled('Verification failed'), 'the failure');
    expect(embedOf(failed).description).toContain('Discord never lets a bot change the server owner’s nickname');
    expect(member(owner).roles.sort()).toEqual(before.sort());
    expect(await link(owner)).toBeNull();
    // The role was given, then taken back: both changes are on record.
    const changes = env.discord.roleChanges().filter((c) => c.userId === owner && c.roleId === verified);
    expect(changes.map((c) => c.action)).toEqual(['add', 'remove']);
  });

  it('re-verify with another account that fails after the link was saved: the old link is put back as it was', async () => {
    const user = newMember(env, 'kim');
    const one = env.roblox.addUser({ name: 'KimOne' });
    const two = env.roblox.addUser({ name: 'KimTwo' });
    const first = await slashVerify(env, user, 'KimOne');
    env.roblox.setDescription(one.id, phraseOf(first.message));
    await click(env, first.message, 'Check', user);
    await messageWhere(env, first.h, titled('Verified as KimOne'), 'verified as KimOne');
    const before = await link(user);

    const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const high = env.discord.createRole(guildId, { name: 'Elite2', position: botTop + 1 });
    await env.settings({ verifiedRoleId: high.id });
    try {
      const second = await slashVerify(env, user, 'KimTwo');
      env.roblox.setDescription(two.id, phraseOf(second.message));
      await click(env, second.message, 'Check', user);
      const failed = await messageWhere(env, second.h, titled('Verification failed'), 'the failure');
      expect(embedOf(failed).description).toContain('@Elite2 is not below');
      // The link row is KimOne's again, with everything it had (its run, time, nickname bookkeeping).
      const { createdAt: _c1, replaced: _r1, ...was } = before!;
      const { createdAt: _c2, replaced: _r2, ...now } = (await link(user))!;
      expect(now).toEqual(was);
      expect(member(user).nick).toBe('KimOne');
      expect(member(user).roles).toEqual([verified]);
      const undone = await env.prisma.auditEvent.findFirst({ where: { guildId, action: 'roblox_link.undone', targetId: user } });
      expect(undone?.data).toMatchObject({ robloxId: String(two.id), restored: 1 });
    } finally {
      await env.settings({ verifiedRoleId: verified });
    }
  });

  it('a member above the bot: roles changed, the nickname refused (hierarchy) — unverified role back, verified role off, no link', async () => {
    const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const senior = env.discord.createRole(guildId, { name: 'Senior', position: botTop + 1 });
    const user = newMember(env, 'lena', { roles: [unverified, senior.id], nick: 'Lena' });
    const rbx = env.roblox.addUser({ name: 'LenaL' });
    const { h, message } = await slashVerify(env, user, 'LenaL');
    env.roblox.setDescription(rbx.id, phraseOf(message));
    await click(env, message, 'Check', user);
    const failed = await messageWhere(env, h, titled('Verification failed'), 'the failure');
    expect(embedOf(failed).description).toContain('the member has a role that is not below Guildflow’s highest role');
    expect(member(user).roles.sort()).toEqual([unverified, senior.id].sort());
    expect(member(user).nick).toBe('Lena');
    expect(await link(user)).toBeNull();
    const changes = env.discord.roleChanges().filter((c) => c.userId === user).map((c) => `${c.action} ${c.roleId === verified ? 'verified' : 'unverified'}`);
    expect(changes).toEqual(['add verified', 'remove unverified', 'add unverified', 'remove verified']);
  });

  it('an admin override that fails puts the other member’s link back', async () => {
    const holder = newMember(env, 'holder');
    const claimer = newMember(env, 'claimer');
    const rbx = env.roblox.addUser({ name: 'Overridden' });
    const start = (userId: string, override: boolean) =>
      env.temporal.client.workflow.execute('verify', {
        taskQueue: env.taskQueue,
        workflowId: verifyWorkflowId(guildId, userId),
        args: [{ guildId, userId, username: 'Overridden', method: 'admin', linkedBy: `discord:${env.demo.admin.id}`, override }],
      }) as Promise<VerifyView>;
    expect(await start(holder, false)).toMatchObject({ phase: 'verified', method: 'admin' });
    const held = await link(holder);
    const botTop = env.discord.roles(guildId).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const high = env.discord.createRole(guildId, { name: 'Elite3', position: botTop + 1 });
    await env.settings({ verifiedRoleId: high.id });
    try {
      const failed = await start(claimer, true);
      expect(failed.phase).toBe('failed');
      expect(failed.reason).toContain('@Elite3 is not below');
    } finally {
      await env.settings({ verifiedRoleId: verified });
    }
    expect(await link(claimer)).toBeNull();
    const { createdAt: _a, replaced: _b, ...was } = held!;
    const { createdAt: _c, replaced: _d, ...now } = (await link(holder))!;
    expect(now).toEqual(was);
    expect(now.robloxId).toBe(BigInt(rbx.id));
  });

  it('Roblox down during a Check: retried, then the member is told and the flow keeps waiting; a brief 503 is absorbed', async () => {
    const user = newMember(env, 'mona');
    const rbx = env.roblox.addUser({ name: 'MonaM' });
    const { h, message } = await slashVerify(env, user, 'MonaM');
    const details = new RegExp(`^/v1/users/${rbx.id}$`);
    env.roblox.inject({ route: details, status: 503 });
    try {
      const first = await click(env, message, 'Check', user);
      const told = await env.discord.waitFor(() => first.h.responses().find((r) => r.kind === 'followup'), 15_000, 'the outage answer');
      expect(JSON.stringify(told.data)).toContain('Guildflow could not read the Roblox profile right now');
      expect(env.roblox.requests().filter((r) => details.test(r.path) && r.status === 503).length).toBeGreaterThanOrEqual(4);
    } finally {
      env.roblox.clearFaults();
    }
    expect(await env.temporal.client.workflow.getHandle(verifyWorkflowId(guildId, user)).query('status')).toMatchObject({ phase: 'waiting' });
    env.roblox.setDescription(rbx.id, phraseOf(message));
    env.roblox.inject({ route: details, status: 503, times: 1 });
    await click(env, message, 'Check', user);
    await messageWhere(env, h, titled('Verified as MonaM'), 'verified after the outage');
  });

  it('two members racing to link one Roblox account: exactly one wins', async () => {
    const a = newMember(env, 'racer-a');
    const b = newMember(env, 'racer-b');
    const rbx = env.roblox.addUser({ name: 'Contested' });
    const va = await slashVerify(env, a, 'Contested');
    const vb = await slashVerify(env, b, 'Contested');
    env.roblox.setDescription(rbx.id, `${phraseOf(va.message)} ${phraseOf(vb.message)}`);
    await Promise.all([click(env, va.message, 'Check', a), click(env, vb.message, 'Check', b)]);
    const ends = await Promise.all([result(verifyWorkflowId(guildId, a)), result(verifyWorkflowId(guildId, b))]);
    expect(ends.map((e) => e.phase).sort()).toEqual(['failed', 'verified']);
    const loser = ends.find((e) => e.phase === 'failed')!;
    expect(loser.reason).toContain('already linked to another member');
    expect(await env.prisma.robloxLink.count({ where: { guildId, robloxId: BigInt(rbx.id) } })).toBe(1);
    const winner = ends.find((e) => e.phase === 'verified')!;
    expect((await env.prisma.robloxLink.findFirst({ where: { guildId, robloxId: BigInt(rbx.id) } }))?.userId).toBe(winner.userId);
    expect(member(loser.userId).roles).toEqual([unverified]);
    expect(member(loser.userId).nick).toBeNull();
  });

  it('the Check button still works after the worker and the bot restart mid-flow', async () => {
    const user = newMember(env, 'ivy');
    const rbx = env.roblox.addUser({ name: 'IvyRestarts' });
    const { h, message } = await slashVerify(env, user, 'IvyRestarts');
    await env.stopBot();
    await env.stopWorker();
    env.roblox.setDescription(rbx.id, phraseOf(message));
    await env.startWorker();
    await env.startBot();
    await click(env, message, 'Check', user);
    await messageWhere(env, h, titled('Verified as IvyRestarts'), 'verified after restarts');
    expect((await link(user))?.robloxName).toBe('IvyRestarts');
    expect(member(user).roles).toContain(verified);
  });

  it('/unverify removes the link, the role and the nickname change; re-verify replaces a link only on success', async () => {
    const user = newMember(env, 'jack', { globalName: 'Jack J', nick: 'jacky' });
    const one = env.roblox.addUser({ name: 'JackOne' });
    const two = env.roblox.addUser({ name: 'JackTwo' });
    const first = await slashVerify(env, user, 'JackOne');
    env.roblox.setDescription(one.id, phraseOf(first.message));
    await click(env, first.message, 'Check', user);
    await messageWhere(env, first.h, titled('Verified as JackOne'), 'verified as JackOne');

    // Re-verify with another account that fails (cancelled): the old link stays.
    const second = await slashVerify(env, user, 'JackTwo');
    await click(env, second.message, 'Cancel', user);
    await messageWhere(env, second.h, titled('Verification cancelled'), 'cancelled');
    expect((await link(user))?.robloxName).toBe('JackOne');
    // …and that succeeds: the link is replaced, the nickname to restore is still the original.
    const third = await slashVerify(env, user, 'JackTwo');
    env.roblox.setDescription(two.id, phraseOf(third.message));
    await click(env, third.message, 'Check', user);
    await messageWhere(env, third.h, titled('Verified as JackTwo'), 'verified as JackTwo');
    expect(await link(user)).toMatchObject({ robloxName: 'JackTwo', nicknameSet: 'JackTwo' });
    expect(member(user).nick).toBe('JackTwo');

    const un = env.discord.slash(guildId, user, 'unverify');
    expect((await un.waitForResponse()).ephemeral).toBe(true);
    const shown = await messageWhere(env, un, (m) => (embedOf(m).description ?? '').startsWith('Unlinked'), 'the unverify answer');
    expect(embedOf(shown).description).toContain('Unlinked from the Roblox account **JackTwo**');
    expect(await link(user)).toBeNull();
    expect(member(user).roles).not.toContain(verified);
    expect(member(user).roles).toContain(unverified);
    expect(member(user).nick).toBe('jacky');
    const audit = await env.prisma.auditEvent.findFirst({ where: { guildId, action: 'roblox_link.removed', targetId: user } });
    expect(audit).toMatchObject({ actorType: 'user', actorId: `discord:${user}` });
    // Nothing left to remove.
    const again = env.discord.slash(guildId, user, 'unverify');
    const nothing = await messageWhere(env, again, (m) => (embedOf(m).description ?? '').length > 0, 'the second unverify');
    expect(embedOf(nothing).description).toContain('no linked Roblox account');
  });
});
