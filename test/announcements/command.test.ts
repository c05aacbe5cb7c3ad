import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord-api-types/v10';
import { parseSendTime } from '../../bot/commands/announce';
import { startE2E, type E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';
import { eventually } from '../sync/helpers';

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
    // The flow records the message id once Discord has answered the post: wait for it, do not race it.
    const recorded = await eventually(async () => {
      const row = await e2e.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType: 'announcement', entityId: id } } });
      return row?.messageId ? row : null;
    }, 'the message id recorded');
    expect(recorded).toMatchObject({ messageId: message!.id });
  });

  it('Cancel on the preview: nothing is ever posted', async () => {
    const { preview } = await draft({ title: 'Dropped news', body: 'No.' });
    const cancel = e2e.discord.clickButton(preview, buttons(preview)[1]!.custom_id, admin);
    await cancel.waitForResponse();
    expect(cancel.original()?.embeds[0]?.title).toBe('Announcement cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    expect(posts('Dropped news')).toHaveLength(0);
  });

  it('scheduled with “in 3s”, edited before then: the edited text is posted at its time', async () => {
    const { preview } = await draft({ title: 'Soon news', body: 'v1', send_at: 'in 3s' });
    expect(buttons(preview)[0]!.label).toBe('Schedule');
    const id = buttons(preview)[0]!.custom_id.split(':')[2]!;
    await e2e.discord.clickButton(preview, buttons(preview)[0]!.custom_id, admin).waitForResponse();
    const edit = e2e.discord.slash(guildId, admin, 'announce', { id }, { subcommand: 'edit' });
    await edit.waitForResponse();
    expect(edit.modal()!.title).toBe('Edit announcement');
    const sent = e2e.discord.submitModal(edit, edit.modal()!.customId, admin, { title: 'Soon news', body: 'v2', colour: '', image: '', send_at: 'in 3s' });
    await sent.waitForResponse();
    expect(posts('Soon news')).toHaveLength(0);
    const [message] = await eventually(() => (posts('Soon news').length ? posts('Soon news') : null), 'the post', 15_000);
    expect(message!.embeds[0]!.description).toBe('v2');
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
