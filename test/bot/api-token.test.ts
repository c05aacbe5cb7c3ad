import { startE2E, type E2E } from '../e2e/harness';

/** `/api-token` through the fake Discord: an admin mints a token the API accepts; nobody exceeds their level. */
describe('/api-token', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
    await e2e.prisma.guildSettings.update({ where: { guildId: e2e.demo.guild.id }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
  });
  afterAll(() => e2e?.close());

  const embedOf = async (interaction: { id: string }) => {
    const r = await e2e.discord.waitFor(() => e2e.discord.interactionResponses(interaction.id)[0], 15_000, 'the answer');
    expect(r.ephemeral).toBe(true);
    return r.data as { content?: string; embeds?: { title: string; description?: string }[] };
  };

  it('creates a token shown once that the API accepts, lists it and revokes it', async () => {
    const { guild, admin } = e2e.demo;
    const created = await embedOf(e2e.discord.slash(guild.id, admin.id, 'api-token', { name: 'dashboard', level: 'mod' }, { subcommand: 'create' }));
    const token = /gf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(created.embeds?.[0]?.description ?? '')?.[0];
    expect(token).toBeDefined();
    const id = token!.split('_')[1]!;
    const api = (t: string) => fetch(`${e2e.apiUrl}/api/guilds/${guild.id}`, { headers: { authorization: `Bearer ${t}` } });
    expect((await api(token!)).status).toBe(200);

    const listed = await embedOf(e2e.discord.slash(guild.id, admin.id, 'api-token', {}, { subcommand: 'list' }));
    expect(listed.embeds?.[0]?.description).toContain(`\`${id}\` · dashboard · mod`);
    expect(JSON.stringify(listed)).not.toContain(token!);

    await embedOf(e2e.discord.slash(guild.id, admin.id, 'api-token', { id }, { subcommand: 'revoke' }));
    expect((await api(token!)).status).toBe(401);
    const audit = await e2e.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ['api_token.created', 'user', `discord:${admin.id}`],
      ['api_token.revoked', 'user', `discord:${admin.id}`],
    ]);
  });

  it('revoking needs the token’s level: an admin cannot revoke the owner’s token, the owner can', async () => {
    const { guild, admin, owner } = e2e.demo;
    const created = await embedOf(e2e.discord.slash(guild.id, owner.id, 'api-token', { name: 'owner tools', level: 'owner' }, { subcommand: 'create' }));
    const token = /gf_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(created.embeds?.[0]?.description ?? '')![0];
    const id = token.split('_')[1]!;
    const api = () => fetch(`${e2e.apiUrl}/api/guilds/${guild.id}`, { headers: { authorization: `Bearer ${token}` } });

    const refused = await embedOf(e2e.discord.slash(guild.id, admin.id, 'api-token', { id }, { subcommand: 'revoke' }));
    expect(refused.content).toBe(`You are admin: you cannot revoke token ${id}, which is owner.`);
    expect((await e2e.prisma.apiToken.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull();
    expect((await api()).status).toBe(200);

    await embedOf(e2e.discord.slash(guild.id, owner.id, 'api-token', { id }, { subcommand: 'revoke' }));
    expect((await api()).status).toBe(401);
  });

  it('refuses a member, and an admin asking for an owner token, changing nothing', async () => {
    const { guild, admin, member } = e2e.demo;
    const before = await e2e.prisma.apiToken.count();
    // The command is hidden from members by default_member_permissions; the fake lets a test send it anyway.
    const asMember = await embedOf(e2e.discord.slash(guild.id, member.id, 'api-token', {}, { subcommand: 'list', ignoreCommandPermissions: true }));
    expect(asMember.content).toMatch(/Only a server admin or above/);
    const tooHigh = await embedOf(e2e.discord.slash(guild.id, admin.id, 'api-token', { name: 'x', level: 'owner' }, { subcommand: 'create' }));
    expect(tooHigh.content).toBe('You are admin: you cannot create a token with level owner.');
    expect(await e2e.prisma.apiToken.count()).toBe(before);
  });
});
