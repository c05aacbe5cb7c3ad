import { PermissionFlagsBits, type APIEmbed } from 'discord.js';
import { addItem } from '../../activities/shop';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * `/setup check` through the fake Discord: a server whose admin log denies Guildflow *Embed Links* and
 * whose verified role sits above Guildflow's is told exactly that, with the fixes; a correctly prepared
 * server is all ✅; a member cannot run it.
 */
jest.setTimeout(120_000);

describe('/setup check', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], verifiedRoleId: roles.verified.id, unverifiedRoleId: roles.unverified.id } });
  });
  afterAll(() => e2e?.close());

  /** Runs /setup check as `userId` and returns the (private) messages it answered with. */
  async function check(userId: string) {
    const handle = e2e.discord.slash(e2e.demo.guild.id, userId, 'setup', {}, { subcommand: 'check' });
    const done = await e2e.discord.waitFor(() => (handle.responses().some((r) => r.kind === 'edit' || (r.kind === 'callback' && r.type === 4)) ? true : undefined), 10_000, '/setup check to answer');
    expect(done).toBe(true);
    const callback = handle.responses().find((r) => r.kind === 'callback')!;
    expect(callback.ephemeral).toBe(true);
    return { handle, message: handle.original(), embeds: handle.original()?.embeds ?? [] };
  }
  const byTitle = (embeds: APIEmbed[]) => Object.fromEntries(embeds.map((e) => [e.title, e.description]));

  it('a correctly prepared server: every feature ✅', async () => {
    const { guild } = e2e.demo;
    const log = e2e.discord.createChannel(guild.id, { name: 'admin-log' });
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminLogChannelId: log.id } });
    const { message, embeds } = await check(e2e.demo.admin.id);
    expect(message?.content).toBe('Guildflow can do every configured job in this server.');
    expect(embeds.map((e) => e.title)).toEqual(['✅ Admin log', '✅ Verification', '✅ Tasks', '✅ Shop', '✅ Announcements', '✅ Synced posts']);
  });

  it('names the missing permission in the admin log and the role above Guildflow’s, with the fixes', async () => {
    const { guild, roles } = e2e.demo;
    const log = e2e.discord.createChannel(guild.id, {
      name: 'locked-log',
      permissionOverwrites: [{ id: guild.botRoleId, type: 0, deny: PermissionFlagsBits.EmbedLinks }],
    });
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminLogChannelId: log.id } });
    const botPosition = e2e.discord.roles(guild.id).find((r) => r.id === guild.botRoleId)!.position;
    e2e.discord.updateRole(guild.id, roles.verified.id, { position: botPosition });
    expect(e2e.discord.roles(guild.id).find((r) => r.id === roles.verified.id)!.position).toBeGreaterThan(e2e.discord.roles(guild.id).find((r) => r.id === guild.botRoleId)!.position);

    const { message, embeds } = await check(e2e.demo.admin.id);
    expect(message?.content).toBe('Guildflow found 2 problems in this server\'s setup:');
    const report = byTitle(embeds);
    expect(report['⚠️ Admin log']).toBe(`• Give Guildflow *Embed Links* in <#${log.id}> (the admin log channel: channel settings → Permissions).`);
    expect(report['⚠️ Verification']).toMatch(new RegExp(`^• Move Guildflow's role \\(@\\S+\\) above <@&${roles.verified.id}> \\(Server Settings → Roles\\): it is the verified role`));
    expect(Object.keys(report).filter((t) => t!.startsWith('✅'))).toEqual(['✅ Tasks', '✅ Shop', '✅ Announcements', '✅ Synced posts']);

    // A shop item's role above Guildflow's: the Shop feature names it; the other features are unchanged.
    const vip = e2e.discord.createRole(guild.id, { name: 'VIP' });
    e2e.discord.updateRole(guild.id, vip.id, { position: e2e.discord.roles(guild.id).find((r) => r.id === guild.botRoleId)!.position });
    await addItem(e2e.prisma, guild.id, { name: 'VIP pass', price: 10n, roleId: vip.id }, { actorType: 'system', actorId: 'test' });
    const shop = byTitle((await check(e2e.demo.admin.id)).embeds)['⚠️ Shop'];
    expect(shop).toMatch(new RegExp(`^• Move Guildflow's role \\(@\\S+\\) above <@&${vip.id}> \\(Server Settings → Roles\\): it is the role of shop item “VIP pass”`));

    // So is a role bound to a Roblox group rank, under Verification.
    const ranked = e2e.discord.createRole(guild.id, { name: 'Rank 5+' });
    e2e.discord.updateRole(guild.id, ranked.id, { position: e2e.discord.roles(guild.id).find((r) => r.id === guild.botRoleId)!.position });
    await e2e.prisma.robloxGroupBind.create({ data: { guildId: guild.id, groupId: 4242n, roleId: ranked.id, minRank: 5, maxRank: 255 } });
    expect(byTitle((await check(e2e.demo.admin.id)).embeds)['⚠️ Verification']).toContain(`above <@&${ranked.id}> (Server Settings → Roles): it is the role bound to Roblox group 4242 (ranks 5–255)`);

    // A configured channel that is gone is reported too.
    e2e.discord.deleteChannel(log.id);
    expect(byTitle((await check(e2e.demo.admin.id)).embeds)['⚠️ Admin log']).toBe(`• The admin log channel (id ${log.id}) no longer exists: choose another channel for it.`);
  });

  it('a member cannot run it', async () => {
    // Discord hides /setup from members; an override making it visible still meets the router's level check.
    const handle = e2e.discord.slash(e2e.demo.guild.id, e2e.demo.member.id, 'setup', {}, { subcommand: 'check', ignoreCommandPermissions: true });
    const response = await handle.waitForResponse(10_000);
    expect(response.ephemeral).toBe(true);
    expect(JSON.stringify(response.data)).toMatch(/Only a server admin or above can do this/);
    expect(handle.responses().flatMap((r) => (r.data as { embeds?: APIEmbed[] }).embeds ?? []).filter((e) => e.title?.includes('Admin log'))).toEqual([]);
  });
});
