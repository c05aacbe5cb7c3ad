import { randomUUID } from 'node:crypto';
import {
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  scheduleAnnouncement,
  type AnnouncementContext,
} from '../../activities/announcements';
import { ValidationError } from '../../lib/errors';
import { announcementStatusQuery, type AnnouncementFlowState } from '../../lib/flows/announcements';
import { syncStatusQuery } from '../../lib/flows/sync';
import { startShopEnv, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, syncRow, endFlows } from '../sync/helpers';
import { firstTimerDueAt, flowExists, sendsOf } from './helpers';

/**
 * Announcements end to end below the bot: the service (what /announce and the API call), the flow
 * announcement:{id} with its timer, and the message posted and kept by sync:announcement:{id} in the fake
 * Discord. Send times are seconds ahead (the timer is Temporal's, real time here).
 */
jest.setTimeout(60_000);

let env: ShopEnv;
let ctx: AnnouncementContext;
let channel: string;

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  ctx = { prisma: env.prisma, temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC };
  channel = env.demo.channels.general;
});
afterAll(async () => {
  if (env) await endFlows(env);
  await env?.close();
});

const guild = () => env.demo.guild.id;
const flow = (id: string) => env.temporal.client.workflow.getHandle(`announcement:${id}`);
const postsWithTitle = (title: string) => env.discord.messages(channel).filter((m) => m.embeds[0]?.title === title);

it('sent now: posted in the channel, the chosen role pinged, colour and image kept, message id stored', async () => {
  const role = env.discord.createRole(guild(), { name: 'News' });
  const id = `t-${randomUUID()}`;
  const a = await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Server update', body: 'We moved.', colour: '#ff8800', imageUrl: 'https://example.com/x.png', pingRoleId: role.id }, 'discord:1', { draft: false });
  expect(a.status).toBe('scheduled');
  const result: AnnouncementFlowState = await flow(id).result();
  expect(result.status).toBe('sent');
  const row = await eventually(async () => {
    const r = await syncRow(env, 'announcement', id);
    return r?.state === 'synced' ? r : null;
  }, 'the post');
  const message = env.discord.message(row.messageId!)!;
  expect(message.channelId).toBe(channel);
  expect(message.content).toBe(`<@&${role.id}>`);
  expect(message.embeds[0]).toMatchObject({ title: 'Server update', description: 'We moved.', color: 0xff8800, image: { url: 'https://example.com/x.png' } });
  expect(message.embeds[0]!.footer?.text).toBe(`Guildflow · announcement:${id}`);
  const posted = env.discord.requests().find((r) => r.method === 'POST' && r.route === `/channels/${channel}/messages` && (r.body as { embeds?: { title?: string }[] })?.embeds?.[0]?.title === 'Server update');
  expect((posted!.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [], roles: [role.id] });
  expect(await env.prisma.announcement.findUnique({ where: { id } })).toMatchObject({ status: 'sent', sentAt: expect.any(Date) });
});

it('pin on request: the posted message is pinned; a channel where the bot may not pin still gets the message', async () => {
  const id = `t-${randomUUID()}`;
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Pinned news', body: 'Stays on top.', pin: true }, 'discord:1', { draft: false });
  const row = await eventually(async () => {
    const r = await syncRow(env, 'announcement', id);
    return r?.state === 'synced' ? r : null;
  }, 'the post');
  expect(env.discord.message(row.messageId!)!.api.pinned).toBe(true);

  env.discord.denyPermission({ channelId: channel, route: /\/pins\// });
  try {
    const id2 = `t-${randomUUID()}`;
    await createAnnouncement(ctx, guild(), id2, { channelId: channel, title: 'Unpinnable news', body: 'Still posted.', pin: true }, 'discord:1', { draft: false });
    const row2 = await eventually(async () => {
      const r = await syncRow(env, 'announcement', id2);
      return r?.state === 'synced' ? r : null;
    }, 'the post');
    expect(env.discord.message(row2.messageId!)!.api.pinned).toBe(false);
    // The row turns synced inside syncApply; the flow records the pin error when that activity returns.
    const sync2 = env.temporal.client.workflow.getHandle(`sync:announcement:${id2}`);
    const lastError = await eventually(async () => (await sync2.query(syncStatusQuery)).lastError, 'the pin error in the flow status');
    expect(lastError).toMatch(/could not pin the message/);
  } finally {
    env.discord.clearFaults();
  }
});

it('scheduled: nothing before its time, posted at it (a short delay)', async () => {
  const id = `t-${randomUUID()}`;
  const sendAt = new Date(Date.now() + 3000);
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Later news', body: 'In three seconds.', sendAt: sendAt.toISOString() }, 'discord:1', { draft: false });
  expect((await flow(id).query(announcementStatusQuery)).status).toBe('scheduled');
  await eventually(() => postsWithTitle('Later news').length === 1, 'the scheduled post', 20_000);
  // Nothing before its time: every post request for it (the fake records each) came at or after sendAt.
  const posts = env.discord.requests().filter((r) => r.method === 'POST' && (r.body as { embeds?: { title?: string }[] })?.embeds?.[0]?.title === 'Later news');
  expect(posts).toHaveLength(1);
  expect(posts[0]!.at).toBeGreaterThanOrEqual(sendAt.getTime());
  // At it: the flow's timer was due exactly at the send time (from its history, which a loaded machine
  // does not skew), and the post is what followed it.
  expect(Math.abs((await firstTimerDueAt(env.temporal.client, `announcement:${id}`))! - sendAt.getTime())).toBeLessThan(50);
  expect(await sendsOf(env.temporal.client, id)).toBe(1);
});

it('cancelled before its time: never sent, the flow ends cancelled', async () => {
  const id = `t-${randomUUID()}`;
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Never news', body: 'Nope.', sendAt: new Date(Date.now() + 2000).toISOString() }, 'discord:1', { draft: false });
  const cancelled = await cancelAnnouncement(ctx, guild(), id);
  expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(Date) });
  expect((await flow(id).result()).status).toBe('cancelled');
  // Never handed to a sync flow, so nothing can be posted later.
  expect(await sendsOf(env.temporal.client, id)).toBe(0);
  expect(await flowExists(env.temporal.client, `sync:announcement:${id}`, env.taskQueue)).toBe(false);
  expect(postsWithTitle('Never news')).toHaveLength(0);
  expect(await syncRow(env, 'announcement', id)).toBeNull();
  await expect(cancelAnnouncement(ctx, guild(), id)).rejects.toThrow('This announcement is already cancelled.');
  await expect(editAnnouncement(ctx, guild(), id, { title: 'x' })).rejects.toThrow(/cancelled; it can no longer be edited/);
});

it('a cancel that reaches the database first wins even if the flow is not told (the send is conditional)', async () => {
  const id = `t-${randomUUID()}`;
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Raced news', body: 'Hm.', sendAt: new Date(Date.now() + 1500).toISOString() }, 'discord:1', { draft: false });
  // Behind the service's back: no signal reaches the flow.
  await env.prisma.announcement.update({ where: { id }, data: { status: 'cancelled', cancelledAt: new Date() } });
  expect((await flow(id).result()).status).toBe('cancelled');
  expect(postsWithTitle('Raced news')).toHaveLength(0);
});

it('edited before its time: the new text and the new time are what is sent', async () => {
  const id = `t-${randomUUID()}`;
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Draft title', body: 'Old.', sendAt: new Date(Date.now() + 60_000).toISOString() }, 'discord:1', { draft: false });
  const sendAt = new Date(Date.now() + 1500);
  await editAnnouncement(ctx, guild(), id, { title: 'Final title', body: 'New.', sendAt: sendAt.toISOString() });
  expect((await flow(id).result()).status).toBe('sent');
  const posts = await eventually(() => (postsWithTitle('Final title').length ? postsWithTitle('Final title') : null), 'the post');
  expect(posts[0]!.embeds[0]!.description).toBe('New.');
  expect(postsWithTitle('Draft title')).toHaveLength(0);
});

it('after sending: an edit edits the message, a take-down deletes it and ends its sync flow', async () => {
  const id = `t-${randomUUID()}`;
  await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Live news', body: 'v1' }, 'discord:1', { draft: false });
  const row = await eventually(async () => {
    const r = await syncRow(env, 'announcement', id);
    return r?.state === 'synced' ? r : null;
  }, 'the post');
  await editAnnouncement(ctx, guild(), id, { body: 'v2' });
  await eventually(() => env.discord.message(row.messageId!)?.embeds[0]?.description === 'v2', 'the edit');
  await expect(editAnnouncement(ctx, guild(), id, { sendAt: new Date(Date.now() + 5000).toISOString() })).rejects.toThrow(/already sent/);
  const down = await cancelAnnouncement(ctx, guild(), id);
  expect(down.status).toBe('deleted');
  expect(await env.temporal.client.workflow.getHandle(`sync:announcement:${id}`).result()).toMatchObject({ state: 'deleted' });
  expect(env.discord.message(row.messageId!)).toBeFalsy();
});

it('a draft is only sent when posted (the preview’s Post button); posting twice sends once', async () => {
  const id = `t-${randomUUID()}`;
  const draft = await createAnnouncement(ctx, guild(), id, { channelId: channel, title: 'Previewed news', body: 'Look first.' }, 'discord:1', { draft: true });
  expect(draft.status).toBe('draft');
  // A draft has no flow, so nothing can post it.
  expect(await flowExists(env.temporal.client, `announcement:${id}`, env.taskQueue)).toBe(false);
  expect(postsWithTitle('Previewed news')).toHaveLength(0);
  await Promise.all([scheduleAnnouncement(ctx, guild(), id), scheduleAnnouncement(ctx, guild(), id)]);
  expect((await flow(id).result()).status).toBe('sent');
  // Sent once: one hand-over to the sync flow, which created one message.
  expect(await sendsOf(env.temporal.client, id)).toBe(1);
  await eventually(() => postsWithTitle('Previewed news').length > 0, 'the post');
  // The sync row records its one create once the post is done: a second post would show here.
  const row = await eventually(async () => {
    const r = await syncRow(env, 'announcement', id);
    return r?.state === 'synced' ? r : null;
  }, 'the post recorded');
  expect(row.creates).toBe(1);
  expect(postsWithTitle('Previewed news')).toHaveLength(1);
});

it('bad input is refused with a clear message and stores nothing', async () => {
  const cases: [object, RegExp][] = [
    [{ channelId: channel, title: '', body: 'x' }, /A title is needed/],
    [{ channelId: channel, title: 'x', body: 'x', colour: 'orange' }, /six hex digits/],
    [{ channelId: channel, title: 'x', body: 'x', imageUrl: 'ftp://x/y.png' }, /http\(s\):\/\/ URL/],
    [{ channelId: channel, title: 'x', body: 'x', sendAt: new Date(Date.now() - 3_600_000).toISOString() }, /that time has passed/],
    [{ channelId: 'general', title: 'x', body: 'x' }, /Discord id/],
  ];
  for (const [input, message] of cases) {
    const id = `t-${randomUUID()}`;
    const err = await createAnnouncement(ctx, guild(), id, input as never, 'discord:1', { draft: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(message);
    expect(await env.prisma.announcement.findUnique({ where: { id } })).toBeNull();
  }
});
