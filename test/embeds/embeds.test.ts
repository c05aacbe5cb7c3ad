import type { E2E } from '../e2e/harness';
import { eventually } from '../sync/helpers';
import { buttonsOf, startAdminE2E } from '../announcements/helpers';

/**
 * /embed through the whole stack (bot, worker, fake Discord) and /api/guilds/:g/embeds over HTTP: the
 * form → preview → Save stores the row (and audits it), edit changes it, send posts it once through the
 * announcement flow, over-limit input stores nothing, members cannot use it, the API pages by name.
 */
jest.setTimeout(120_000);

describe('saved embeds', () => {
  let e2e: E2E;
  let guildId: string;
  let admin: string;
  let channel: string;
  let token: string;

  beforeAll(async () => {
    ({ e2e, guildId, admin, channel, token } = await startAdminE2E());
  });
  afterAll(() => e2e?.close());

  const audits = (action: string, targetId: string) => e2e.prisma.auditEvent.findMany({ where: { guildId, action, targetId } });
  const blank = { title: '', description: '', colour: '', image: '', footer: '' };

  async function form(sub: 'create' | 'edit', name: string, fields: Record<string, string>, user = admin) {
    const cmd = e2e.discord.slash(guildId, user, 'embed', { name }, { subcommand: sub });
    await cmd.waitForResponse();
    const modal = cmd.modal()!;
    const submitted = e2e.discord.submitModal(cmd, modal.customId, user, { ...blank, ...fields });
    const response = await submitted.waitForResponse();
    return { modal, response, preview: submitted.original() };
  }

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/embeds${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string; message: string } } };
  }

  it('create: the form → a preview (nothing stored) → Save stores it and audits it; edit (prefilled) changes it', async () => {
    const { modal, preview } = await form('create', 'Rules', { title: 'Server rules', description: 'Be kind.', colour: '#ff8800', image: 'https://example.com/r.png', footer: 'The mods' });
    expect(modal.title).toBe('New embed: rules');
    expect(preview!.embeds[0]!.title).toBe('Preview — nothing is saved yet');
    expect(preview!.embeds[1]).toMatchObject({ title: 'Server rules', description: 'Be kind.', color: 0xff8800, image: { url: 'https://example.com/r.png' }, footer: { text: 'The mods' } });
    expect(await e2e.prisma.savedEmbed.findUnique({ where: { guildId_name: { guildId, name: 'rules' } } })).toBeNull();

    const [save, cancel] = buttonsOf(preview);
    expect([save!.label, cancel!.label]).toEqual(['Save', 'Cancel']);
    // Another admin cannot save someone else's form: the stored draft names its author.
    const other = e2e.demo.owner.id;
    const forged = e2e.discord.clickButton(preview!, save!.custom_id, other);
    expect(JSON.stringify(await forged.waitForResponse())).toContain('Only the admin who wrote this embed can save it.');
    expect(await e2e.prisma.savedEmbed.count({ where: { guildId } })).toBe(0);

    const saved = e2e.discord.clickButton(preview!, save!.custom_id, admin);
    await saved.waitForResponse();
    expect(saved.original()?.embeds[0]?.title).toBe('Embed saved');
    expect(await e2e.prisma.savedEmbed.findUnique({ where: { guildId_name: { guildId, name: 'rules' } } })).toMatchObject({
      title: 'Server rules',
      description: 'Be kind.',
      colour: 0xff8800,
      imageUrl: 'https://example.com/r.png',
      footer: 'The mods',
      createdBy: `discord:${admin}`,
    });
    expect(await audits('embed.created', 'rules')).toHaveLength(1);

    const edit = await form('edit', 'rules', { title: 'Server rules v2', description: 'Be kinder.', colour: '#ff8800', image: '', footer: 'The mods' });
    expect(edit.modal.components).toBeDefined();
    expect(JSON.stringify(edit.modal)).toContain('Be kind.'); // prefilled
    const editSave = e2e.discord.clickButton(edit.preview!, buttonsOf(edit.preview)[0]!.custom_id, admin);
    await editSave.waitForResponse();
    expect(editSave.original()?.embeds[0]?.title).toBe('Embed updated');
    expect(await e2e.prisma.savedEmbed.findUnique({ where: { guildId_name: { guildId, name: 'rules' } } })).toMatchObject({ title: 'Server rules v2', description: 'Be kinder.', imageUrl: null });
    expect(await audits('embed.updated', 'rules')).toHaveLength(1);
  });

  it('over Discord’s limits (6000 characters together): refused with the reason, nothing stored', async () => {
    const { response } = await form('create', 'huge', { title: 't'.repeat(256), description: 'd'.repeat(4000), footer: 'f'.repeat(2048) });
    expect(JSON.stringify(response)).toContain('Discord allows at most 6000');
    const badColour = await form('create', 'huge', { title: 'x', description: 'y', colour: '#12345g' });
    expect(JSON.stringify(badColour.response)).toContain('A colour is six hex digits');
    expect(await e2e.prisma.embedDraft.count({ where: { guildId, name: 'huge' } })).toBe(0);
    expect(await e2e.prisma.savedEmbed.count({ where: { guildId, name: 'huge' } })).toBe(0);
  });

  it('send: a preview with Post / Cancel; a double click on Post posts the embed once, audited', async () => {
    await e2e.prisma.savedEmbed.create({ data: { guildId, name: 'event', title: 'Game night', description: 'Friday 20:00', colour: 0x00ff00, footer: 'See you', createdBy: 'cli' } });
    const send = e2e.discord.slash(guildId, admin, 'embed', { name: 'event', channel }, { subcommand: 'send' });
    await send.waitForResponse();
    const preview = send.original()!;
    expect(preview.embeds[1]).toMatchObject({ title: 'Game night', description: 'Friday 20:00', color: 0x00ff00, footer: { text: 'See you' } });
    const [post] = buttonsOf(preview);
    expect(post!.label).toBe('Post');
    const posts = () => e2e.discord.messages(channel).filter((m) => m.embeds[0]?.title === 'Game night');
    expect(posts()).toHaveLength(0);

    const first = e2e.discord.clickButton(preview, post!.custom_id, admin);
    const second = e2e.discord.clickButton(preview, post!.custom_id, admin);
    await Promise.all([first.waitForResponse(), second.waitForResponse()]);
    const id = post!.custom_id.split(':')[2]!;
    await eventually(async () => (await e2e.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'announcement', entityId: id } } }))?.state === 'synced', 'the post recorded');
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.embeds[0]).toMatchObject({ title: 'Game night', description: 'Friday 20:00', color: 0x00ff00, footer: { text: 'See you' } });
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'embed.sent', targetId: id } })).toBe(1);
  });

  it('members cannot use /embed', () => {
    expect(() => e2e.discord.slash(guildId, e2e.demo.member.id, 'embed', {}, { subcommand: 'list' })).toThrow();
  });

  it('API: create, read, change, delete — validated, audited — and a list paged by name', async () => {
    const created = await api('POST', '', { name: 'Welcome', title: 'Hello', description: 'Welcome aboard.', colour: '#5865F2' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'welcome', title: 'Hello', colour: 0x5865f2, createdBy: expect.stringMatching(/^token:/) });
    expect((await api('POST', '', { name: 'welcome', title: 'Again', description: 'x' })).status).toBe(409);

    for (const [body, message] of [
      [{ name: 'bad name!', title: 'x', description: 'y' }, 'lowercase letters'],
      [{ name: 'long', title: 'x'.repeat(257), description: 'y' }, 'at most 256'],
      [{ name: 'long', title: 'x', description: 'y'.repeat(4097) }, 'at most 4096'],
      [{ name: 'long', title: 'x', description: 'y', footer: 'f'.repeat(2049) }, 'at most 2048'],
      [{ name: 'long', title: 'x'.repeat(256), description: 'y'.repeat(4096), footer: 'f'.repeat(2000) }, 'at most 6000'],
      [{ name: 'long', title: 'x', description: 'y', colour: 0x1000000 }, 'six hex digits'],
      [{ name: 'long', title: 'x', description: 'y', imageUrl: 'ftp://example.com/a.png' }, 'http(s)'],
    ] as const) {
      const r = await api('POST', '', body);
      expect({ status: r.status, message: r.body.error?.message }).toEqual({ status: 400, message: expect.stringContaining(message) });
    }
    expect(await e2e.prisma.savedEmbed.count({ where: { guildId, name: 'long' } })).toBe(0);

    expect((await api('GET', '/welcome')).body).toMatchObject({ name: 'welcome', description: 'Welcome aboard.' });
    const patched = await api('PATCH', '/welcome', { description: 'Welcome, friend.', footer: 'Guild team' });
    expect(patched.body).toMatchObject({ description: 'Welcome, friend.', footer: 'Guild team' });
    expect((await api('PATCH', '/welcome', { title: '' })).status).toBe(400);
    expect(await audits('embed.updated', 'welcome')).toHaveLength(1);

    for (const name of ['page-a', 'page-b', 'page-c']) expect((await api('POST', '', { name, title: name, description: 'p' })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect((page.body.items as unknown[]).length).toBeLessThanOrEqual(2);
      seen.push(...(page.body.items as { name: string }[]).map((e) => e.name));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c', 'welcome']));
    expect(new Set(seen).size).toBe(seen.length);

    expect((await api('DELETE', '/welcome')).body).toEqual({ deleted: true, name: 'welcome' });
    expect((await api('GET', '/welcome')).status).toBe(404);
    expect(await audits('embed.deleted', 'welcome')).toHaveLength(1);
  });
});
