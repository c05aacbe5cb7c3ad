import type { VerifyView } from '../../lib/flows/verify';
import { createApiToken } from '../../lib/api-tokens';
import { verifyWorkflowId } from '../../lib/flows/verify';
import { startE2E, type E2E } from '../e2e/harness';
import type { InteractionHandle } from '../fakes/discord';
import { buttonsOf, embedOf, phraseOf } from './helpers';

/**
 * Verification through the production stack (startE2E: worker, API and bot as `npm start` runs them, the
 * Roblox client configured by ROBLOX_USERS_API_URL pointing at the fake): the API, the Verify panel,
 * admin force/override, /whois.
 */
describe('verification: API, panel, admin commands', () => {
  let e2e: E2E;
  let guildId: string;
  let tokens: { mod: string; admin: string };
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({
      where: { guildId },
      data: { adminRoleIds: [e2e.demo.roles.admin.id], adminLogChannelId: e2e.demo.channels.adminLog.id, verifiedRoleId: e2e.demo.roles.verified.id, unverifiedRoleId: e2e.demo.roles.unverified.id },
    });
    const make = async (level: 'mod' | 'admin') => (await createApiToken(e2e.prisma, { guildId, name: `verify-${level}`, level, createdBy: 'test', creatorLevel: 'owner' })).token;
    tokens = { mod: await make('mod'), admin: await make('admin') };
  });
  afterAll(() => e2e?.close());

  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/verify${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // Response bodies are checked field by field with toMatchObject, so a loose type is enough here.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };
  const newMember = (name: string) => {
    const u = e2e.discord.createUser({ username: `${name}-${(seq += 1)}` });
    e2e.discord.addMember(guildId, u.id, { roles: [e2e.demo.roles.unverified.id] });
    return u.id;
  };
  const answer = (h: InteractionHandle) =>
    e2e.discord.waitFor(() => {
      const m = h.original();
      return m && m.embeds.length && m.embeds[0]!.title !== 'Verifying…' ? m : undefined;
    }, 10_000, 'the answer');

  it('settings: mods read, admins change (validated, audited)', async () => {
    expect((await api('GET', '/settings', tokens.mod)).body?.settings).toMatchObject({ phraseWords: 16, expirySeconds: 900, checksPerMinute: 3, nicknameTemplate: '{roblox-name}' });
    expect((await api('PATCH', '/settings', tokens.mod, { phraseWords: 8 })).status).toBe(403);
    const bad = await api('PATCH', '/settings', tokens.admin, { phraseWords: 2, nicknameTemplate: 'no placeholder' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.message).toMatch(/phraseWords/);
    expect((await e2e.prisma.verificationSettings.findUnique({ where: { guildId } }))).toBeNull();
    const ok = await api('PATCH', '/settings', tokens.admin, { phraseWords: 8, expirySeconds: 120, checksPerMinute: 5, nicknameTemplate: '{display-name} ({roblox-name})' });
    expect(ok.status).toBe(200);
    expect(ok.body?.settings).toMatchObject({ phraseWords: 8, expirySeconds: 120, checksPerMinute: 5, nicknameTemplate: '{display-name} ({roblox-name})' });
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'verification.settings_changed' } })).toBe(1);
  });

  it('API: start a verification for a member (phrase by DM, Check in the DM), status, links, remove a link', async () => {
    const user = newMember('api-member');
    const rbx = e2e.roblox.addUser({ name: 'ApiPlayer', displayName: 'Api P' });
    expect((await api('POST', '/verifications', tokens.mod, { userId: user, username: 'ApiPlayer' })).status).toBe(403);
    expect((await api('POST', '/verifications', tokens.admin, { userId: user, username: 'not a name' })).status).toBe(400);
    const started = await api('POST', '/verifications', tokens.admin, { userId: user, username: 'ApiPlayer' });
    expect(started.status).toBe(202);
    expect(started.body?.workflowId).toBe(verifyWorkflowId(guildId, user));
    const dm = await e2e.discord.waitFor(() => e2e.discord.dms(user).find((m) => embedOf(m).title === 'Verify your Roblox account'), 10_000, 'the phrase by DM');
    const phrase = phraseOf(dm);
    expect(phrase.split(' ')).toHaveLength(8);
    expect((await api('POST', '/verifications', tokens.admin, { userId: user, username: 'ApiPlayer' })).status).toBe(409);
    const pending = await api('GET', `/verifications/${user}`, tokens.mod);
    expect(pending.body?.verification).toMatchObject({ status: 'pending', method: 'profile_phrase' });
    expect(pending.body?.workflow).toMatchObject({ status: 'RUNNING', state: { phase: 'waiting', phrase } });

    e2e.roblox.setDescription(rbx.id, phrase);
    const click = e2e.discord.clickButton(dm, buttonsOf(dm).find((b) => b.label === 'Check')!.custom_id, user);
    await click.waitForResponse();
    await e2e.waitForWorkflow(verifyWorkflowId(guildId, user), 'COMPLETED');
    expect(e2e.discord.member(guildId, user)?.nick).toBe('Api P (ApiPlayer)');
    const done = await api('GET', `/verifications/${user}`, tokens.mod);
    expect(done.body?.verification).toMatchObject({ status: 'verified', robloxName: 'ApiPlayer', robloxId: String(rbx.id) });
    expect(done.body?.workflow).toMatchObject({ status: 'COMPLETED', state: { phase: 'verified' } });
    // The outcome reaches the member by DM too.
    await e2e.discord.waitFor(() => e2e.discord.dms(user).find((m) => embedOf(m).title === 'Verified as ApiPlayer'), 5000, 'the outcome DM');

    const links = await api('GET', '/links?robloxName=apiplayer', tokens.mod);
    expect(links.body?.links).toEqual([expect.objectContaining({ userId: user, robloxId: String(rbx.id), robloxName: 'ApiPlayer', method: 'profile_phrase' })]);
    expect(links.body).toMatchObject({ nextCursor: null, next: null });
    expect((await api('DELETE', `/links/${user}`, tokens.mod)).status).toBe(403);
    const removed = await api('DELETE', `/links/${user}`, tokens.admin);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ status: 'removed', roleRemoved: true, unverifiedRoleGiven: true, nicknameRestored: true });
    expect(e2e.discord.member(guildId, user)?.nick).toBeNull();
    expect(e2e.discord.member(guildId, user)?.roles).toEqual([e2e.demo.roles.unverified.id]);
    expect((await api('DELETE', `/links/${user}`, tokens.admin)).status).toBe(404);
    expect((await api('GET', `/verifications/${newMember('nobody')}`, tokens.mod)).status).toBe(404);
  });

  it('the Verify panel: /setup verification posts it; Verify → modal → the phrase, ephemeral', async () => {
    const setup = e2e.discord.slash(guildId, e2e.demo.admin.id, 'setup', {}, { subcommand: 'verification' });
    await setup.waitForResponse();
    const panel = await e2e.discord.waitFor(() => e2e.discord.messages(e2e.demo.channels.general).find((m) => embedOf(m).title === 'Verify your Roblox account'), 5000, 'the panel');
    const user = newMember('panel-user');
    e2e.roblox.addUser({ name: 'PanelPlayer' });
    const press = e2e.discord.clickButton(panel, buttonsOf(panel)[0]!.custom_id, user);
    await press.waitForResponse();
    const modal = press.modal();
    expect(modal?.title).toBe('Verify your Roblox account');
    const submit = e2e.discord.submitModal(press, modal!.customId, user, { username: 'PanelPlayer' });
    expect((await submit.waitForResponse()).ephemeral).toBe(true);
    const shown = await answer(submit);
    expect(embedOf(shown).description).toContain('**PanelPlayer**');
    expect(phraseOf(shown).split(' ')).toHaveLength(8);
    // Members cannot post panels.
    const refused = e2e.discord.slash(guildId, user, 'setup', {}, { subcommand: 'verification', ignoreCommandPermissions: true });
    await refused.waitForResponse();
    expect(JSON.stringify(refused.responses())).toContain('Only a server admin');
  });

  it('an account linked to another member is refused unless an admin overrides; /whois and /verify-admin whois show the link', async () => {
    const first = newMember('holder');
    const second = newMember('claimer');
    e2e.roblox.addUser({ name: 'SharedAcct' });
    const force = (user: string, override?: boolean) =>
      e2e.discord.slash(guildId, e2e.demo.admin.id, 'verify-admin', { user, username: 'SharedAcct', ...(override ? { override } : {}) }, { subcommand: 'force' });
    const one = await answer(force(first));
    expect(embedOf(one).title).toBe('Verified as SharedAcct');
    const refused = await answer(force(second));
    expect(embedOf(refused).title).toBe('Verification failed');
    expect(embedOf(refused).description).toContain('already linked to another member');
    expect((await e2e.prisma.robloxLink.findFirst({ where: { guildId, robloxName: 'SharedAcct' } }))?.userId).toBe(first);
    const moved = await answer(force(second, true));
    expect(embedOf(moved).title).toBe('Verified as SharedAcct');
    expect(await e2e.prisma.robloxLink.findMany({ where: { guildId, robloxName: 'SharedAcct' }, select: { userId: true, method: true, linkedBy: true } })).toEqual([
      { userId: second, method: 'admin', linkedBy: `discord:${e2e.demo.admin.id}` },
    ]);
    const notice = await e2e.discord.waitFor(
      () => e2e.discord.messages(e2e.demo.channels.adminLog.id).find((m) => embedOf(m).title === 'Roblox account linked by an admin' && (embedOf(m).description ?? '').includes(second)),
      5000,
      'the admin log notice',
    );
    expect(embedOf(notice).description).toContain('**SharedAcct**');

    const whois = e2e.discord.slash(guildId, first, 'whois', { user: second });
    await whois.waitForResponse();
    expect(embedOf(whois.original()).description).toContain(`<@${second}> is linked to the Roblox account **SharedAcct**`);
    const adminWhois = e2e.discord.slash(guildId, e2e.demo.admin.id, 'verify-admin', { user: second }, { subcommand: 'whois' });
    await adminWhois.waitForResponse();
    expect(embedOf(adminWhois.original()).description).toContain('Method: admin');
    expect(embedOf(adminWhois.original()).description).toContain('SharedAcct — failed');
    // A member cannot use the admin commands.
    const denied = e2e.discord.slash(guildId, first, 'verify-admin', { user: first }, { subcommand: 'remove', ignoreCommandPermissions: true });
    await denied.waitForResponse();
    expect(JSON.stringify(denied.responses())).toContain('Only a server admin');
    expect(await e2e.prisma.robloxLink.count({ where: { guildId, userId: first } })).toBe(0);
    const result = (await e2e.temporal.workflow.getHandle(verifyWorkflowId(guildId, second)).result()) as VerifyView;
    expect(result).toMatchObject({ phase: 'verified', method: 'admin' });
  });
});

