import type { APIEmbed } from 'discord-api-types/v10';
import { createApiToken } from '../../lib/api-tokens';
import type { InteractionHandle } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * Grants through the production bot and API against the fake Discord, on Manage shop: a plain member is
 * refused /shop-admin and the shop's write routes, allowed once granted (directly or through a role they
 * have), and refused again at the next command or request once the grant is removed.
 */
describe('grants through the bot and the API', () => {
  let e2e: E2E;
  let guildId: string;
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id], modRoleIds: [e2e.demo.roles.mod.id] } });
  });
  afterAll(async () => {
    const flows = e2e?.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "sync:shop_item:" AND ExecutionStatus = "Running" AND TaskQueue = "${e2e.taskQueue}"` });
    if (flows) for await (const f of flows) await e2e.temporal.workflow.getHandle(f.workflowId).terminate('test over').catch(() => undefined);
    await e2e?.close();
  });

  /** The first answer's text: its content, or its embed's title and description. */
  const answer = async (h: InteractionHandle) => {
    const r = await h.waitForResponse();
    const data = r.data as { content?: string; embeds?: APIEmbed[] } | undefined;
    expect(r.ephemeral).toBe(true);
    return [data?.content, data?.embeds?.[0]?.title, data?.embeds?.[0]?.description].filter(Boolean).join('\n');
  };
  const newMember = (roles: string[] = []) => {
    const u = e2e.discord.createUser({ username: `grantee-${(seq += 1)}` });
    e2e.discord.addMember(guildId, u.id, { roles });
    return u.id;
  };
  const grant = (sub: 'add' | 'remove', options: Record<string, unknown>) => answer(e2e.discord.slash(guildId, e2e.demo.admin.id, 'grant', { permission: 'manage_shop', ...options }, { subcommand: sub }));
  // /shop-admin stays hidden by Discord's default permission (Manage Server): a server lets grant holders
  // see it with a command permission override (Server Settings → Integrations), which this models.
  const addItemAs = (userId: string, name: string) =>
    answer(e2e.discord.slash(guildId, userId, 'shop-admin', { name, price: 10 }, { subcommand: 'add', ignoreCommandPermissions: true }));
  /** Whether the member's /help lists the command (its first message carries the Shop section). */
  const helpLists = async (userId: string, usage: string) => JSON.stringify((await e2e.discord.slash(guildId, userId, 'help', {}).waitForResponse()).data).includes(`\`${usage}\``);
  const items = (name: string) => e2e.prisma.shopItem.count({ where: { guildId, name } });
  const REFUSED = 'Only a server admin or a member with the Manage shop grant can do this (you are user).';

  it('a member granted Manage shop may run /shop-admin until the grant is removed', async () => {
    const mia = newMember();
    expect(await addItemAs(mia, 'Refused lamp')).toBe(REFUSED);
    expect(await items('Refused lamp')).toBe(0);

    expect(await grant('add', { member: mia })).toBe(`Granted Manage shop\n<@${mia}>: ${'Add, edit and remove shop items: price, stock, category, roles (/shop-admin and the shop API).'}`);
    expect(await grant('add', { member: mia })).toMatch(/^Already granted: Manage shop/);
    expect(await e2e.prisma.memberGrant.count({ where: { guildId, subjectId: mia } })).toBe(1);
    expect(await answer(e2e.discord.slash(guildId, e2e.demo.admin.id, 'grant', { member: mia }, { subcommand: 'list' }))).toMatch(new RegExp(`^Grants of grantee-\\d+\\n\`\\d+\` · Manage shop · <@${mia}>$`));

    expect(await addItemAs(mia, 'Granted lamp')).toMatch(/^Added Granted lamp to the shop/);
    expect(await helpLists(mia, '/shop-admin add')).toBe(true);
    expect(await items('Granted lamp')).toBe(1);

    expect(await grant('remove', { member: mia })).toBe(`Removed Manage shop\n<@${mia}> no longer holds it.`);
    expect(await addItemAs(mia, 'Late lamp')).toBe(REFUSED);
    expect(await helpLists(mia, '/shop-admin add')).toBe(false);
    expect(await items('Late lamp')).toBe(0);
    expect((await e2e.prisma.auditEvent.findMany({ where: { guildId, targetId: mia, action: { startsWith: 'grant.' } }, orderBy: { id: 'asc' } })).map((a) => [a.action, a.actorId])).toEqual([
      ['grant.added', `discord:${e2e.demo.admin.id}`],
      ['grant.removed', `discord:${e2e.demo.admin.id}`],
    ]);
  });

  it('a grant to a role lets its members in; removed, they are refused again', async () => {
    const shopkeepers = e2e.discord.createRole(guildId, { name: 'Shopkeepers' });
    const sam = newMember([shopkeepers.id]);
    expect(await addItemAs(sam, 'Role cup')).toBe(REFUSED);
    expect(await grant('add', { role: shopkeepers.id })).toMatch(/^Granted Manage shop/);
    expect(await addItemAs(sam, 'Role cup')).toMatch(/^Added Role cup/);
    expect(await grant('remove', { role: shopkeepers.id })).toMatch(/^Removed Manage shop/);
    expect(await addItemAs(sam, 'Role mug')).toBe(REFUSED);
    expect(await items('Role mug')).toBe(0);
  });

  it('/grant refuses members below admin, both or neither subject, @everyone and members of no server here', async () => {
    const mia = newMember();
    expect(await answer(e2e.discord.slash(guildId, e2e.demo.mod.id, 'grant', { permission: 'manage_shop', member: mia }, { subcommand: 'add', ignoreCommandPermissions: true }))).toBe(
      'Only a server admin or above can do this (you are mod).',
    );
    expect(await grant('add', {})).toBe('Name exactly one of member and role.');
    expect(await grant('add', { member: mia, role: e2e.demo.roles.mod.id })).toBe('Name exactly one of member and role.');
    expect(await grant('add', { role: e2e.demo.guild.everyoneRoleId })).toBe('A grant cannot go to @everyone: give it to a member or a role.');
    const stranger = e2e.discord.createUser({ username: 'stranger' }).id;
    expect(await grant('add', { member: stranger })).toBe(`member: ${stranger} is not a member of this server.`);
    expect(await e2e.prisma.memberGrant.count({ where: { guildId, subjectId: { in: [mia, stranger, e2e.demo.guild.everyoneRoleId] } } })).toBe(0);
  });

  describe('API', () => {
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // Response bodies are read field by field in the assertions below.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    let admin: string;
    beforeAll(async () => {
      admin = (await createApiToken(e2e.prisma, { guildId, name: 'ops', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
    });

    it("a person's user token may write the shop only while the person holds Manage shop", async () => {
      const mia = newMember();
      const own = (await createApiToken(e2e.prisma, { guildId, name: 'mine', level: 'user', createdBy: `discord:${mia}`, creatorLevel: 'user' })).token;
      const refused = await call('POST', '/shop/items', own, { name: 'API hat', price: '5' });
      expect(refused).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'forbidden' }) } });
      expect(await items('API hat')).toBe(0);

      const granted = await call('POST', '/grants', admin, { permission: 'manage_shop', subjectType: 'user', subjectId: mia });
      expect(granted).toMatchObject({ status: 201, body: { added: true, grant: { permission: 'manage_shop', subjectType: 'user', subjectId: mia, grantedBy: expect.stringMatching(/^token:/) } } });
      expect(await call('POST', '/grants', admin, { permission: 'manage_shop', subjectType: 'user', subjectId: mia })).toMatchObject({ status: 200, body: { added: false } });
      const created = await call('POST', '/shop/items', own, { name: 'API hat', price: '5' });
      expect(created.status).toBe(201);
      expect(await items('API hat')).toBe(1);
      // The grant opens what it names, nothing else: settings still need an admin token.
      expect((await call('PATCH', '/settings', own, { locale: 'en' })).status).toBe(403);

      const list = await call('GET', '/grants', admin);
      expect(list.body.grants).toContainEqual(expect.objectContaining({ id: granted.body.grant.id, subjectId: mia }));
      expect(await call('DELETE', `/grants/${granted.body.grant.id}`, admin)).toMatchObject({ status: 200, body: { grant: { id: granted.body.grant.id } } });
      expect((await call('POST', '/shop/items', own, { name: 'API cap', price: '5' })).status).toBe(403);
      expect(await items('API cap')).toBe(0);
    });

    it('a grant opens what it names and nothing else', async () => {
      const ann = newMember();
      const own = (await createApiToken(e2e.prisma, { guildId, name: 'announcer', level: 'user', createdBy: `discord:${ann}`, creatorLevel: 'user' })).token;
      expect((await call('GET', '/embeds', own)).status).toBe(403);
      await call('POST', '/grants', admin, { permission: 'manage_announcements', subjectType: 'user', subjectId: ann });
      expect((await call('GET', '/embeds', own)).status).toBe(200);
      expect((await call('POST', '/shop/items', own, { name: 'Announcer hat', price: '5' })).status).toBe(403);
      expect((await call('GET', '/grants', own)).status).toBe(403);
    });

    it('answers 400 for a bad body or a subject of no server here, 404 for an unknown grant, 403 below admin', async () => {
      const mia = newMember();
      expect(await call('POST', '/grants', admin, { permission: 'fly', subjectType: 'user', subjectId: mia })).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
      expect(await call('POST', '/grants', admin, { permission: 'manage_shop', subjectType: 'group', subjectId: mia })).toMatchObject({ status: 400 });
      const stranger = e2e.discord.createUser({ username: 'api-stranger' }).id;
      expect(await call('POST', '/grants', admin, { permission: 'manage_shop', subjectType: 'user', subjectId: stranger })).toMatchObject({ status: 400, body: { error: { code: 'not_in_guild' } } });
      expect(await call('POST', '/grants', admin, { permission: 'manage_shop', subjectType: 'role', subjectId: guildId })).toMatchObject({ status: 400, body: { error: { code: 'everyone_refused' } } });
      expect(await call('DELETE', '/grants/999999', admin)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(await call('DELETE', '/grants/abc', admin)).toMatchObject({ status: 400 });
      const mod = (await createApiToken(e2e.prisma, { guildId, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
      expect((await call('GET', '/grants', mod)).status).toBe(403);
    });
  });
});
