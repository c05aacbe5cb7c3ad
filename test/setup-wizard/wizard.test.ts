import { ChannelType, type APIActionRowComponent, type APIComponentInMessageActionRow, type APISelectMenuDefaultValue } from 'discord-api-types/v10';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * `/setup wizard` through the fake Discord: an admin changes the server's settings with role and channel
 * menus; each change is stored at once with its audit event and the wizard shows the new values. Members
 * and moderators cannot open it or use its menus, and ids of another server are refused.
 */
describe('/setup wizard', () => {
  let e2e: E2E;
  const audits = () => e2e.prisma.auditEvent.findMany({ where: { guildId: e2e.demo.guild.id }, orderBy: { id: 'asc' } });
  const settings = () => e2e.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: e2e.demo.guild.id } });

  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] } });
  });
  afterAll(() => e2e?.close());

  const contentOf = (r: { data?: unknown }) => (r.data as { content?: string } | undefined)?.content ?? '';
  /** The wizard message behind an interaction's reply, read back from the fake. */
  const wizardOf = (h: InteractionHandle): MessageRecord => h.original()!;
  function selectOf(message: MessageRecord, customId: string) {
    const rows = (message.components ?? []) as APIActionRowComponent<APIComponentInMessageActionRow>[];
    return rows.flatMap((r) => r.components).find((c) => 'custom_id' in c && c.custom_id === customId) as { default_values?: APISelectMenuDefaultValue<never>[]; min_values?: number } | undefined;
  }

  async function open(userId: string) {
    const h = e2e.discord.slash(e2e.demo.guild.id, userId, 'setup', {}, { subcommand: 'wizard', ignoreCommandPermissions: true });
    return { h, response: await h.waitForResponse() };
  }

  /** Picks values in the wizard and waits for the bot's answer (the updated wizard, or a refusal). */
  async function pick(message: MessageRecord, setting: string, userId: string, values: string[], opts: { crafted?: boolean } = {}) {
    const h = e2e.discord.selectMenu(message, `gf:setup-wizard:${setting}`, userId, values, opts);
    return { h, response: await h.waitForResponse() };
  }

  it('saves each role choice at once, audited, and shows it in the wizard', async () => {
    const { guild, roles, admin } = e2e.demo;
    const { h, response } = await open(admin.id);
    expect(response.ephemeral).toBe(true);
    let wizard = wizardOf(h);
    expect(selectOf(wizard, 'gf:setup-wizard:adminRoles')!.default_values).toEqual([{ id: roles.admin.id, type: 'role' }]);

    const before = (await audits()).length;
    const changed = await pick(wizard, 'modRoles', admin.id, [roles.mod.id, roles.verified.id]);
    expect(changed.response.type).toBe(7); // the wizard message itself is updated
    expect((await settings()).modRoleIds).toEqual([roles.mod.id, roles.verified.id]);
    wizard = e2e.discord.message(wizard.id)!;
    expect(selectOf(wizard, 'gf:setup-wizard:modRoles')!.default_values).toEqual([
      { id: roles.mod.id, type: 'role' },
      { id: roles.verified.id, type: 'role' },
    ]);
    expect(wizard.content).toContain(`**Moderator roles**: <@&${roles.mod.id}>, <@&${roles.verified.id}>`);

    await pick(wizard, 'verifiedRole', admin.id, [roles.verified.id]);
    expect((await settings()).verifiedRoleId).toBe(roles.verified.id);
    // A single value is cleared by deselecting it (the menu takes none).
    expect(selectOf(e2e.discord.message(wizard.id)!, 'gf:setup-wizard:verifiedRole')!.min_values).toBe(0);
    await pick(e2e.discord.message(wizard.id)!, 'verifiedRole', admin.id, []);
    expect((await settings()).verifiedRoleId).toBeNull();

    const actor = { actorType: 'user', actorId: `discord:${admin.id}`, action: 'guild_settings.updated', targetType: 'guild', targetId: guild.id };
    expect((await audits()).slice(before).map((a) => ({ actorType: a.actorType, actorId: a.actorId, action: a.action, targetType: a.targetType, targetId: a.targetId, data: a.data }))).toEqual([
      { ...actor, data: { modRoleIds: [roles.mod.id, roles.verified.id] } },
      { ...actor, data: { verifiedRoleId: roles.verified.id } },
      { ...actor, data: { verifiedRoleId: null } },
    ]);
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { modRoleIds: [roles.mod.id] } });
  });

  it('sets the channels on its other pages: admin log, tasks and the synced leaderboard, which is posted there', async () => {
    const { guild, channels, owner } = e2e.demo;
    const { h } = await open(owner.id);
    const page = e2e.discord.clickButton(wizardOf(h), 'gf:setup-page:channels', owner.id);
    await page.waitForResponse();
    let wizard = e2e.discord.message(wizardOf(h).id)!;
    expect(wizard.content).toContain('**Task channel**: not set');

    const before = (await audits()).length;
    await pick(wizard, 'adminLog', owner.id, [channels.adminLog.id]);
    await pick(e2e.discord.message(wizard.id)!, 'taskChannel', owner.id, [channels.tasks.id]);
    expect((await settings()).adminLogChannelId).toBe(channels.adminLog.id);
    expect((await e2e.prisma.taskSettings.findUniqueOrThrow({ where: { guildId: guild.id } })).taskChannelId).toBe(channels.tasks.id);
    wizard = e2e.discord.message(wizard.id)!;
    expect(wizard.content).toContain(`**Task channel**: <#${channels.tasks.id}>`);
    expect(selectOf(wizard, 'gf:setup-wizard:taskChannel')!.default_values).toEqual([{ id: channels.tasks.id, type: 'channel' }]);

    e2e.discord.clickButton(wizard, 'gf:setup-page:posts', owner.id);
    await e2e.discord.waitFor(() => (e2e.discord.message(wizard.id)!.content?.includes('Leaderboard channel') ? true : undefined), 5000, 'the posts page');
    await pick(e2e.discord.message(wizard.id)!, 'leaderboard', owner.id, [channels.shop.id]);
    expect(await e2e.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId: guild.id, entityType: 'leaderboard' } } })).toMatchObject({ channelId: channels.shop.id, options: { asset: 'currency', size: 10 } });
    // The leaderboard's sync flow reacts as to the API's change: it posts the panel in the channel.
    const panels = () => e2e.discord.messages(channels.shop.id).filter((m) => m.authorId === e2e.discord.botUser.id);
    await e2e.discord.waitFor(() => (panels().length === 1 ? true : undefined), 20_000, 'the leaderboard panel');
    await pick(e2e.discord.message(wizard.id)!, 'leaderboard', owner.id, []);
    expect(await e2e.prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId: guild.id, entityType: 'leaderboard' } } })).toBeNull();
    // Cleared, the panel goes, as when the API removes the channel.
    await e2e.discord.waitFor(() => (panels().length === 0 ? true : undefined), 20_000, 'the leaderboard panel to be deleted');

    const actorId = `discord:${owner.id}`;
    expect((await audits()).slice(before).map((a) => ({ actorType: a.actorType, actorId: a.actorId, action: a.action, data: a.data }))).toEqual([
      { actorType: 'user', actorId, action: 'guild_settings.updated', data: { adminLogChannelId: channels.adminLog.id } },
      { actorType: 'user', actorId, action: 'task_settings.updated', data: { taskChannelId: channels.tasks.id } },
      { actorType: 'user', actorId, action: 'sync_channel.updated', data: { channelId: channels.shop.id, asset: 'currency', size: 10 } },
      { actorType: 'user', actorId, action: 'sync_channel.removed', data: { channelId: channels.shop.id } },
    ]);
  });

  it.each(['member', 'mod'] as const)('refuses a %s: neither the command nor a select on an admin’s wizard changes anything', async (who) => {
    const { roles, admin } = e2e.demo;
    const actor = e2e.demo[who];
    const { h, response } = await open(actor.id);
    expect(response.ephemeral).toBe(true);
    expect(contentOf(response)).toMatch(/^Only a server admin or above can do this/);
    expect(h.original()?.components ?? []).toEqual([]);

    const { h: adminWizard } = await open(admin.id);
    const before = { settings: await settings(), audits: (await audits()).length };
    // The custom id is client data: the member sends it from a message that is not theirs.
    const crafted = await pick(wizardOf(adminWizard), 'adminRoles', actor.id, [roles.admin.id, roles.unverified.id]);
    expect(contentOf(crafted.response)).toMatch(/^Only a server admin or above can do this/);
    expect(await settings()).toEqual(before.settings);
    expect((await audits()).length).toBe(before.audits);
  });

  it('refuses a role or channel of another server, changing nothing', async () => {
    const { admin } = e2e.demo;
    const other = e2e.discord.createGuild({ name: 'Elsewhere' });
    const foreignRole = e2e.discord.createRole(other.id, { name: 'Elsewhere admin' });
    const foreignChannel = e2e.discord.createChannel(other.id, { name: 'elsewhere' });
    const { h } = await open(admin.id);
    const before = { settings: await settings(), audits: (await audits()).length };

    const role = await pick(wizardOf(h), 'adminRoles', admin.id, [foreignRole.id], { crafted: true });
    expect(contentOf(role.response)).toContain(`${foreignRole.id} is not a role of this server`);
    // @everyone is the server's, but would make every member an admin.
    const everyone = await pick(wizardOf(h), 'adminRoles', admin.id, [e2e.demo.guild.everyoneRoleId], { crafted: true });
    expect(contentOf(everyone.response)).toBe('@everyone cannot be chosen for Admin roles.');
    e2e.discord.clickButton(wizardOf(h), 'gf:setup-page:channels', admin.id);
    await e2e.discord.waitFor(() => (e2e.discord.message(wizardOf(h).id)!.content?.includes('Admin-log channel') ? true : undefined), 5000, 'the channels page');
    const channel = await pick(e2e.discord.message(wizardOf(h).id)!, 'adminLog', admin.id, [foreignChannel.id], { crafted: true });
    expect(contentOf(channel.response)).toContain(`${foreignChannel.id} is not a channel of this server`);
    // The server's own voice channel is the server's, but not a place to post.
    const voice = e2e.discord.createChannel(e2e.demo.guild.id, { name: 'voice', type: ChannelType.GuildVoice });
    const wrongType = await pick(e2e.discord.message(wizardOf(h).id)!, 'adminLog', admin.id, [voice.id], { crafted: true });
    expect(contentOf(wrongType.response)).toBe('Admin-log channel: choose a text or announcement channel.');

    expect(await settings()).toEqual(before.settings);
    expect((await audits()).length).toBe(before.audits);
  });
});
