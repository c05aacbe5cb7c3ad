import type { E2E } from '../e2e/harness';
import { eventually } from '../sync/helpers';
import { buttonsOf, startAdminE2E } from './helpers';

/**
 * A task's card as an announcement (/announce task, POST …/tasks/:id/announce) through the whole stack:
 * the /announce preview and Post, then the card in the channel; closed or deleted tasks and other
 * guilds' channels are refused.
 */
jest.setTimeout(120_000);

describe('announcing a task', () => {
  let e2e: E2E;
  let guildId: string;
  let admin: string;
  let channel: string;
  let token: string;

  beforeAll(async () => {
    ({ e2e, guildId, admin, channel, token } = await startAdminE2E());
  });
  afterAll(() => e2e?.close());

  const cards = (title: string) => e2e.discord.messages(channel).filter((m) => m.embeds[0]?.title === title);
  const task = (data: { name: string; status?: string; deletedAt?: Date; messageId?: string }) =>
    e2e.prisma.task.create({ data: { guildId, reward: 250n, claimDurationSeconds: 3600, maxClaims: 3, slotsTaken: 1, expiresAt: new Date('2027-01-01T00:00:00Z'), createdBy: 'test', ...data, messageChannelId: data.messageId ? e2e.demo.channels.tasks.id : null } });
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
  };

  it('/announce task: the preview of the card, then Post puts the card in the channel', async () => {
    const t = await task({ name: 'Build a bridge', messageId: '123456789012345678' });
    const cmd = e2e.discord.slash(guildId, admin, 'announce', { task: `#${t.id}`, channel }, { subcommand: 'task' });
    await cmd.waitForResponse(30_000);
    const preview = cmd.original()!;
    expect(preview.embeds[0]!.title).toBe('Preview — nothing is posted yet');
    expect(buttonsOf(preview).map((b) => b.label)).toEqual(['Post', 'Cancel']);
    expect(cards(`Task #${t.id}: Build a bridge`)).toHaveLength(0);

    await e2e.discord.clickButton(preview, buttonsOf(preview)[0]!.custom_id, admin).waitForResponse(30_000);
    const [card] = await eventually(() => (cards(`Task #${t.id}: Build a bridge`).length ? cards(`Task #${t.id}: Build a bridge`) : null), 'the card');
    const text = card!.embeds[0]!.description!;
    expect(text).toContain('**Reward:** ');
    expect(text).toContain('250');
    expect(text).toContain('**Slots:** 2 of 3 free');
    expect(text).toContain(`**Deadline:** <t:${Date.parse('2027-01-01T00:00:00Z') / 1000}:f>`);
    expect(text).toContain(`https://discord.com/channels/${guildId}/${e2e.demo.channels.tasks.id}/123456789012345678`);
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'task.announced', targetId: String(t.id) } })).toBe(1);
  });

  it('POST …/tasks/:id/announce posts the card; closed or deleted tasks and foreign channels are refused', async () => {
    const t = await task({ name: 'Plant trees' });
    const r = await api(`/tasks/${t.id}/announce`, { channelId: channel });
    expect(r.status).toBe(201);
    const [card] = await eventually(() => (cards(`Task #${t.id}: Plant trees`).length ? cards(`Task #${t.id}: Plant trees`) : null), 'the card');
    expect(card!.embeds[0]!.description).toContain('Claim it with `/tasks`.');

    const before = await e2e.prisma.announcement.count();
    const closed = await task({ name: 'Closed one', status: 'closed' });
    expect(await api(`/tasks/${closed.id}/announce`, { channelId: channel })).toMatchObject({ status: 409, body: { error: { message: `Task #${closed.id} is closed: only an open task can be announced.` } } });
    const deleted = await task({ name: 'Gone one', status: 'deleted', deletedAt: new Date() });
    expect((await api(`/tasks/${deleted.id}/announce`, { channelId: channel })).status).toBe(404);
    const other = e2e.discord.createGuild({ name: 'Other' });
    const foreign = e2e.discord.createChannel(other.id, { name: 'theirs' }).id;
    expect((await api(`/tasks/${t.id}/announce`, { channelId: foreign })).status).toBe(400);
    expect(await e2e.prisma.announcement.count()).toBe(before);
  });
});
