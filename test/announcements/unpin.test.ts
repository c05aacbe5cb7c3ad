import type { E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';
import { eventually } from '../sync/helpers';
import { buttonsOf, startAdminE2E } from './helpers';

/**
 * Unpinning a sent announcement (/announce unpin, POST …/announcements/:id/unpin) through the whole stack:
 * its sync flow unpins the message in the fake Discord, the row records who and when, one audit entry;
 * an announcement that is not pinned, or not sent, is refused and nothing changes.
 */
jest.setTimeout(120_000);

describe('unpinning an announcement', () => {
  let e2e: E2E;
  let guildId: string;
  let admin: string;
  let channel: string;
  let token: string;

  beforeAll(async () => {
    ({ e2e, guildId, admin, channel, token } = await startAdminE2E());
  });
  afterAll(() => e2e?.close());

  const audits = (id: string) => e2e.prisma.auditEvent.count({ where: { guildId, action: 'announcement.unpinned', targetId: id } });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
  };

  /** The announcement's message once its sync flow has recorded it. */
  async function postedMessage(id: string): Promise<MessageRecord> {
    const row = await eventually(async () => {
      const r = await e2e.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'announcement', entityId: id } } });
      return r?.state === 'synced' && r.messageId ? r : null;
    }, 'the post recorded');
    return e2e.discord.message(row.messageId!)!;
  }

  async function unpinCommand(id: string) {
    const cmd = e2e.discord.slash(guildId, admin, 'announce', { id }, { subcommand: 'unpin' });
    return { cmd, response: JSON.stringify(await cmd.waitForResponse()) };
  }

  it('/announce unpin: the pinned message is unpinned in Discord, recorded and audited; a second unpin is refused', async () => {
    const create = e2e.discord.slash(guildId, admin, 'announce', { channel, pin: true }, { subcommand: 'create' });
    await create.waitForResponse();
    const submitted = e2e.discord.submitModal(create, create.modal()!.customId, admin, { title: 'Pinned news', body: 'Read me.', colour: '', image: '', send_at: '' });
    await submitted.waitForResponse();
    const post = buttonsOf(submitted.original())[0]!;
    const id = post.custom_id.split(':')[2]!;
    await e2e.discord.clickButton(submitted.original()!, post.custom_id, admin).waitForResponse();
    const message = await postedMessage(id);
    await eventually(() => e2e.discord.message(message.id)?.api.pinned === true, 'the pin');

    const { cmd } = await unpinCommand(id);
    expect(cmd.original()?.embeds[0]?.title).toBe('Announcement unpinned');
    await eventually(() => e2e.discord.message(message.id)?.api.pinned === false, 'the unpin');
    expect(e2e.discord.requests().filter((r) => r.method === 'DELETE' && r.route.endsWith(`/pins/${message.id}`))).toHaveLength(1);
    expect(await e2e.prisma.announcement.findUnique({ where: { id } })).toMatchObject({ status: 'sent', pin: true, unpinnedAt: expect.any(Date), unpinnedBy: `discord:${admin}` });
    expect(await audits(id)).toBe(1);
    // The message itself is untouched: still the one post.
    expect(e2e.discord.messages(channel).filter((m) => m.embeds[0]?.title === 'Pinned news')).toHaveLength(1);

    expect((await unpinCommand(id)).response).toContain('This announcement was already unpinned.');
    expect(await audits(id)).toBe(1);
  });

  it('refused for an announcement that is not sent, or was never pinned; nothing changes', async () => {
    const later = await api('POST', '/announcements', { id: 'unpin-later', channelId: channel, title: 'Later', body: 'x', pin: true, sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(later.status).toBe(201);
    expect((await unpinCommand('unpin-later')).response).toContain('This announcement is scheduled, not sent: there is no message to unpin.');
    const plain = await api('POST', '/announcements', { id: 'unpin-plain', channelId: channel, title: 'Plain', body: 'y' });
    expect(plain.status).toBe(201);
    await postedMessage('unpin-plain');
    const refused = await api('POST', '/announcements/unpin-plain/unpin');
    expect({ status: refused.status, message: refused.body.error?.message }).toEqual({ status: 409, message: 'This announcement was not pinned.' });
    for (const id of ['unpin-later', 'unpin-plain']) {
      expect(await e2e.prisma.announcement.findUnique({ where: { id } })).toMatchObject({ unpinnedAt: null });
      expect(await audits(id)).toBe(0);
    }
    expect((await api('DELETE', '/announcements/unpin-later')).status).toBe(200);
  });

  it('POST …/announcements/:id/unpin unpins it too (audited as the token)', async () => {
    expect((await api('POST', '/announcements', { id: 'unpin-api', channelId: channel, title: 'API pinned', body: 'z', pin: true })).status).toBe(201);
    const message = await postedMessage('unpin-api');
    await eventually(() => e2e.discord.message(message.id)?.api.pinned === true, 'the pin');
    const r = await api('POST', '/announcements/unpin-api/unpin');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'unpin-api', unpinnedBy: expect.stringMatching(/^token:/) });
    await eventually(() => e2e.discord.message(message.id)?.api.pinned === false, 'the unpin');
    expect(await audits('unpin-api')).toBe(1);
  });
});
