import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord-api-types/v10';
import { createApiToken } from '../../lib/api-tokens';
import { type FeatureSwitch } from '../../lib/features';
import { FEATURE_SWITCHES } from '../../lib/requests/guild-settings';
import type { InteractionHandle } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * Feature switches: `/setup features` (audited) turns features off and on; a switched-off feature's
 * commands and the buttons of its posts answer one line and change nothing, its API writes answer 409
 * `feature_disabled` while reads still work, and `/help` leaves it out.
 */
describe('feature switches', () => {
  let e2e: E2E;
  let token: string;
  const guildId = () => e2e.demo.guild.id;
  const contentOf = (r: { data?: unknown }) => (r.data as { content?: string } | undefined)?.content ?? '';
  const journal = () => e2e.prisma.journalEntry.count({ where: { guildId: guildId() } });

  beforeAll(async () => {
    e2e = await startE2E();
    const { guild, roles } = e2e.demo;
    await e2e.prisma.guildSettings.update({ where: { guildId: guild.id }, data: { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] } });
    token = (await createApiToken(e2e.prisma, { guildId: guild.id, name: 'features', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  });
  afterAll(() => e2e?.close());

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown } } | null };
  }

  async function slash(userId: string, name: string, opts: { subcommand?: string } = {}) {
    const h = e2e.discord.slash(guildId(), userId, name, {}, { ...opts, ignoreCommandPermissions: true });
    return { h, response: await h.waitForResponse() };
  }

  /** Opens `/setup features` as an admin and keeps on exactly `on`. */
  async function keepOn(on: readonly FeatureSwitch[]): Promise<InteractionHandle> {
    const { h } = await slash(e2e.demo.admin.id, 'setup', { subcommand: 'features' });
    const pick = e2e.discord.selectMenu(h.original()!, 'gf:setup-features:', e2e.demo.admin.id, [...on]);
    expect((await pick.waitForResponse()).type).toBe(7);
    return h;
  }

  it('switches economy off from Discord (audited): /daily and /balance answer one line and the ledger does not move; on again, they work', async () => {
    const { admin, member } = e2e.demo;
    const before = { journal: await journal(), audits: await e2e.prisma.auditEvent.count({ where: { guildId: guildId() } }) };
    const wizard = await keepOn(FEATURE_SWITCHES.filter((f) => f !== 'economy'));
    expect((await e2e.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: guildId() } })).disabledFeatures).toEqual(['economy']);
    expect(await e2e.prisma.auditEvent.findMany({ where: { guildId: guildId() }, orderBy: { id: 'asc' }, skip: before.audits })).toEqual([
      expect.objectContaining({ actorType: 'user', actorId: `discord:${admin.id}`, action: 'guild_settings.updated', targetId: guildId(), data: { disabledFeatures: ['economy'] } }),
    ]);
    expect(e2e.discord.message(wizard.original()!.id)!.content).toContain('⛔ Economy — off');

    const line = 'Economy is switched off in this server; a server admin can turn it on with /setup features.';
    for (const name of ['daily', 'balance']) {
      const { response } = await slash(member.id, name);
      expect({ content: contentOf(response), ephemeral: response.ephemeral }).toEqual({ content: line, ephemeral: true });
    }
    expect(await journal()).toBe(before.journal);

    await keepOn(FEATURE_SWITCHES);
    expect((await e2e.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: guildId() } })).disabledFeatures).toEqual([]);
    const daily = await slash(member.id, 'daily');
    expect(contentOf(daily.response)).not.toContain('switched off');
    await e2e.discord.waitFor(async () => ((await journal()) === before.journal + 1 ? true : undefined), 10_000, 'the daily reward in the ledger');
  });

  it('refuses the buttons of a switched-off feature’s posts with the same one line', async () => {
    const { owner, member, channels } = e2e.demo;
    const posted = e2e.discord.slash(guildId(), owner.id, 'setup', {}, { subcommand: 'shop-panel', channelId: channels.shop.id });
    await posted.waitForResponse();
    const panel = await e2e.discord.waitFor(() => e2e.discord.messages(channels.shop.id).find((m) => m.authorId === e2e.discord.botUser.id), 10_000, 'the shop panel');
    const rows = (panel.components ?? []) as APIActionRowComponent<APIComponentInMessageActionRow>[];
    const balance = rows.flatMap((r) => r.components).find((c) => 'custom_id' in c && c.custom_id.startsWith('gf:panel-balance'))! as { custom_id: string };

    await keepOn(FEATURE_SWITCHES.filter((f) => f !== 'codeShop'));
    const click = e2e.discord.clickButton(panel, balance.custom_id, member.id);
    expect(contentOf(await click.waitForResponse())).toBe('Code shop (code orders and top-ups) is switched off in this server; a server admin can turn it on with /setup features.');
    await keepOn(FEATURE_SWITCHES);
    const again = e2e.discord.clickButton(panel, balance.custom_id, member.id);
    expect(contentOf(await again.waitForResponse())).not.toContain('switched off');
  });

  it('refuses API writes of a switched-off feature with 409 feature_disabled, keeps reads, and turns it on again through the API (audited)', async () => {
    const off = await api('PATCH', '/settings', { disabledFeatures: ['shop'] });
    expect(off.status).toBe(200);
    const item = { name: 'Switched-off sword', price: 10 };
    const refused = await api('POST', '/shop/items', item);
    expect({ status: refused.status, error: refused.json?.error }).toEqual({
      status: 409,
      error: { code: 'feature_disabled', message: 'Shop is switched off in this server; a server admin can turn it on with /setup features.', details: { feature: 'shop' } },
    });
    expect(await e2e.prisma.shopItem.count({ where: { guildId: guildId(), name: item.name } })).toBe(0);
    expect((await api('GET', '/shop/items')).status).toBe(200);
    // Other features' writes are untouched.
    expect((await api('PATCH', '/tasks/settings', { maxActivePerUser: 4 })).status).toBe(200);

    expect((await api('PATCH', '/settings', { disabledFeatures: [] })).status).toBe(200);
    expect((await api('POST', '/shop/items', item)).status).toBe(201);
    expect(await e2e.prisma.shopItem.count({ where: { guildId: guildId(), name: item.name } })).toBe(1);
    const audits = await e2e.prisma.auditEvent.findMany({ where: { guildId: guildId(), action: 'guild_settings.updated', actorType: 'api_token' }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => a.data)).toEqual([{ disabledFeatures: ['shop'] }, { disabledFeatures: [] }]);
    expect((await api('PATCH', '/settings', { disabledFeatures: ['lottery'] })).status).toBe(400);
  });

  it('/help leaves out a switched-off feature', async () => {
    const headings = async () => {
      const { response } = await slash(e2e.demo.member.id, 'help');
      return ((response.data as { embeds?: APIEmbed[] }).embeds ?? []).map((e) => e.title);
    };
    expect(await headings()).toContain('Tasks');
    await keepOn(FEATURE_SWITCHES.filter((f) => f !== 'tasks'));
    const shown = await headings();
    expect(shown).not.toContain('Tasks');
    expect(shown).toContain('Economy');
    await keepOn(FEATURE_SWITCHES);
  });
});
