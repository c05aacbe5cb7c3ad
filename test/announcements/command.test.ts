import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { ACTIONS, parseSendTime } from '../../bot/commands/announce/shared';
import { customId } from '../../lib/discord/custom-id';
import { startE2E, type E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';
import { eventually } from '../sync/helpers';
import { flowExists } from './helpers';

/**
 * /announce through the whole stack (bot, worker, fakes): the modal, the ephemeral preview with Post /
 * Cancel, the post in the channel; edit and cancel; members cannot use it.
 */
jest.setTimeout(90_000);

describe('/announce', () => {
  let e2e: E2E;
  let guildId: string;
  let admin: string;
  let channel: string;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    admin = e2e.demo.admin.id;
    channel = e2e.demo.channels.general;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
  });
  afterAll(() => e2e?.close());

  const buttons = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  const posts = (title: string) => e2e.discord.messages(channel).filter((m) => m.embeds[0]?.title === title);

  async function draft(fields: Record<string, string>, options: Record<string, unknown> = {}) {
    const cmd = e2e.discord.slash(guildId, admin, 'announce', { channel, ...options }, { subcommand: 'create' });
    await cmd.waitForResponse();
    const modal = cmd.modal()!;
    expect(modal.title).toBe('New announcement');
    const submitted = e2e.discord.submitModal(cmd, modal.customId, admin, { title: '', body: '', colour: '', image: '', send_at: '', ...fields });
    const response = await submitted.waitForResponse();
    return { submitted, response, preview: submitted.original()! };
  }

  it('create → preview (exactly the message, nothing posted) → Post → posted in the channel, only the chosen role pinged', async () => {
    const role = e2e.discord.createRole(guildId, { name: 'Events' });
    const { response, preview } = await draft({ title: 'Game night', body: 'Friday 20:00.', colour: '#00ff00' }, { ping: role.id });
    expect(response.ephemeral).toBe(true);
    expect(preview.embeds[0]!.title).toBe('Preview — nothing is posted yet');
    expect(preview.embeds[1]).toMatchObject({ title: 'Game night', description: 'Friday 20:00.', color: 0x00ff00 });
    expect(buttons(preview).map((b) => b.label)).toEqual(['Post', 'Cancel']);
    expect(posts('Game night')).toHaveLength(0);
    const id = buttons(preview)[0]!.custom_id.split(':')[2]!;
    expect(await e2e.prisma.announcement.findUnique({ where: { id } })).toMatchObject({ status: 'draft', pingRoleId: role.id, colour: 0x00ff00 });

    const post = e2e.discord.clickButton(preview, buttons(preview)[0]!.custom_id, admin);
    await post.waitForResponse();
    expect(post.original()?.embeds[0]?.title).toBe('Announcement scheduled');
    const [message] = await eventually(() => (posts('Game night').length ? posts('Game night') : null), 'the post', 15_000);
    expect(message!.content).toBe(`<@&${role.id}>`);
    // Discord has the post before the sync activity records its id: wait for the row itself.
    const row = await eventually(async () => {
      const r = await e2e.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'announcement', entityId: id } } });
      return r?.messageId ? r : null;
    }, 'the post recorded');
    expect(row).toMatchObject({ messageId: message!.id });
  });

  it('a modal whose custom id names another guild’s channel or role is refused and stores nothing', async () => {
    const other = e2e.discord.createGuild({ name: 'Other' });
    const foreignChannel = e2e.discord.createChannel(other.id, { name: 'their-news' }).id;
    const foreignRole = e2e.discord.createRole(other.id, { name: 'Their ping' }).id;
    const here = e2e.discord.postMessage(channel, admin, 'a message to submit from');
    const fields = { title: 'Forged', body: 'Into another server.', colour: '', image: '', send_at: '' };
    for (const [key, field] of [[`${foreignChannel}.0.0`, 'channel'], [`${channel}.${foreignRole}.0`, 'ping']] as const) {
      const submitted = e2e.discord.submitModal(here, customId(ACTIONS.newModal, key), admin, fields);
      const response = await submitted.waitForResponse();
      expect(JSON.stringify(response)).toContain(`${field}: `);
      expect(await e2e.prisma.announcement.findUnique({ where: { id: submitted.id } })).toBeNull();
    }
    expect(e2e.discord.messages(foreignChannel)).toHaveLength(0);
  });

  it('Cancel on the preview: nothing is ever posted', async () => {
    const { preview } = await draft({ title: 'Dropped news', body: 'No.' });
    const cancel = e2e.discord.clickButton(preview, buttons(preview)[1]!.custom_id, admin);
    await cancel.waitForResponse();
    expect(cancel.original()?.embeds[0]?.title).toBe('Announcement cancelled');
    // A cancelled draft never had a flow: nothing can post it later.
    const id = buttons(preview)[1]!.custom_id.split(':')[2]!;
    expect(await e2e.prisma.announcement.findUnique({ where: { id } })).toMatchObject({ status: 'cancelled' });
    expect(await flowExists(e2e.temporal, `announcement:${id}`, e2e.taskQueue)).toBe(false);
    expect(posts('Dropped news')).toHaveLength(0);
  });

  it('scheduled for later, edited before then to “in 3s”: the edited text is posted at the new time', async () => {
    // A minute ahead, so the edit lands first however slow the machine; posted within the wait below
    // only because the edit moved it.
    const { preview } = await draft({ title: 'Soon news', body: 'v1', send_at: 'in 60s' });
    expect(buttons(preview)[0]!.label).toBe('Schedule');
    const id = buttons(preview)[0]!.custom_id.split(':')[2]!;
    await e2e.discord.clickButton(preview, buttons(preview)[0]!.custom_id, admin).waitForResponse();
    const edit = e2e.discord.slash(guildId, admin, 'announce', { id }, { subcommand: 'edit' });
    await edit.waitForResponse();
    expect(edit.modal()!.title).toBe('Edit announcement');
    const sent = e2e.discord.submitModal(edit, edit.modal()!.customId, admin, { title: 'Soon news', body: 'v2', colour: '', image: '', send_at: 'in 3s' });
    await sent.waitForResponse();
    const { sendAt } = await e2e.prisma.announcement.findUniqueOrThrow({ where: { id } });
    const [message] = await eventually(() => (posts('Soon news').length ? posts('Soon news') : null), 'the post', 30_000);
    expect(message!.embeds[0]!.description).toBe('v2');
    // Not before the new time: every post request for it came at or after it.
    const requests = e2e.discord.requests().filter((r) => r.method === 'POST' && (r.body as { embeds?: { title?: string }[] })?.embeds?.[0]?.title === 'Soon news');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.at).toBeGreaterThanOrEqual(sendAt!.getTime());
  });

  it('members cannot announce (and Discord hides the command from them)', () => {
    expect(() => e2e.discord.slash(guildId, e2e.demo.member.id, 'announce', { channel }, { subcommand: 'create' })).toThrow();
  });

  it('send times: relative, UTC date and time, empty = now, nonsense refused', () => {
    const now = new Date('2026-11-25T00:00:00Z');
    expect(parseSendTime('in 30m', now)?.toISOString()).toBe('2026-11-25T00:30:00.000Z');
    expect(parseSendTime('+2h', now)?.toISOString()).toBe('2026-11-25T02:00:00.000Z');
    expect(parseSendTime('2026-12-24 18:00', now)?.toISOString()).toBe('2026-12-24T18:00:00.000Z');
    expect(parseSendTime('', now)).toBeNull();
    expect(() => parseSendTime('tomorrowish', now)).toThrow(/in 30m/);
  });
});
