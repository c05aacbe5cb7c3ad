import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { startDashEnv, type DashEnv } from './helpers';

/**
 * GET …/channels and …/roles: the guild's channels and roles from the fake Discord through the guild
 * directory, cached (a second read does not reach Discord; refresh=true does), 503 when Discord is down or
 * the process has none, 404 when the bot is not in the guild, and mod level.
 */
jest.setTimeout(60_000);

let env: DashEnv;
beforeAll(async () => {
  env = await startDashEnv();
});
afterAll(async () => {
  await env?.close();
});

const reads = (what: 'channels' | 'roles') => env.discord.requests().filter((r) => r.method === 'GET' && r.route === `/guilds/${env.guildId}/${what}`).length;

it('lists the channels with names, types, categories and positions', async () => {
  const category = env.discord.createChannel(env.guildId, { name: 'Staff', type: 4 });
  const inCategory = env.discord.createChannel(env.guildId, { name: 'staff-chat', type: 0, parentId: category.id });
  const res = await env.api('GET', '/channels', { token: env.tokens.mod });
  expect(res.status).toBe(200);
  const byId = new Map(res.body.channels.map((c: { id: string }) => [c.id, c]));
  expect(byId.get(env.demo.channels.shop.id)).toEqual({ id: env.demo.channels.shop.id, name: 'shop', type: 0, parentId: null, position: expect.any(Number) });
  expect(byId.get(inCategory.id)).toMatchObject({ name: 'staff-chat', parentId: category.id });
  expect(byId.get(category.id)).toMatchObject({ name: 'Staff', type: 4 });
  expect(new Date(res.body.fetchedAt).getTime()).toBeLessThanOrEqual(Date.now());
});

it('lists the roles highest first, managed and mentionable flags included', async () => {
  const res = await env.api('GET', '/roles', { token: env.tokens.mod });
  expect(res.status).toBe(200);
  const roles = res.body.roles as { id: string; name: string; position: number; managed: boolean }[];
  expect(roles.map((r) => r.position)).toEqual([...roles.map((r) => r.position)].sort((a, b) => b - a));
  expect(roles.find((r) => r.id === env.demo.roles.mod.id)).toMatchObject({ name: 'Moderator', managed: false, mentionable: expect.any(Boolean), color: expect.any(Number) });
  expect(roles.find((r) => r.id === env.demo.guild.botRoleId)).toMatchObject({ managed: true });
  expect(roles[roles.length - 1]!.id).toBe(env.guildId); // @everyone
});

it('answers from its cache, and refresh=true asks Discord again', async () => {
  await env.api('GET', '/roles');
  const before = reads('roles');
  const role = env.discord.createRole(env.guildId, { name: 'Brand new' });
  const cached = await env.api('GET', '/roles');
  expect(reads('roles')).toBe(before);
  expect(cached.body.roles.some((r: { id: string }) => r.id === role.id)).toBe(false);
  // A directory whose cached list is old enough to refresh (the app's own refuses refreshes within 5 s).
  const at = await env.serve({ guildDirectory: createGuildDirectory(env.rest, { minRefreshMs: 0 }) });
  await env.api('GET', '/roles', { at });
  const fresh = await env.api('GET', '/roles?refresh=true', { at });
  expect(fresh.body.roles.some((r: { id: string }) => r.id === role.id)).toBe(true);
  // On the app's directory (minRefreshMs 5 s) a second refresh right after the first is the cached answer.
  await env.api('GET', '/channels?refresh=true');
  const channelReads = reads('channels');
  await env.api('GET', '/channels?refresh=true');
  expect(reads('channels')).toBe(channelReads);
});

it('a role the cached list misses is read again before a write naming it is refused', async () => {
  await env.api('GET', '/roles');
  const role = env.discord.createRole(env.guildId, { name: 'Made just now' });
  const res = await env.api('PATCH', '/settings', { body: { modRoleIds: [env.demo.roles.mod.id, role.id] } });
  expect(res.status).toBe(200);
});

it('Discord down: 503 discord_unavailable', async () => {
  const at = await env.serve({ guildDirectory: createGuildDirectory(env.rest) });
  env.discord.inject({ route: new RegExp(`^/guilds/${env.guildId}/channels$`), status: 503, times: 5 });
  env.discord.inject({ route: new RegExp(`^/guilds/${env.guildId}/roles$`), status: 500, times: 5 });
  try {
    for (const what of ['channels', 'roles']) {
      const res = await env.api('GET', `/${what}`, { at });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('discord_unavailable');
    }
  } finally {
    env.discord.clearFaults();
  }
  expect((await env.api('GET', '/channels', { at })).status).toBe(200);
});

it('a process without Discord answers 503', async () => {
  const at = await env.serve({});
  const res = await env.api('GET', '/roles', { at });
  expect(res.status).toBe(503);
  expect(res.body.error).toMatchObject({ code: 'discord_unavailable', message: expect.stringContaining('DISCORD_TOKEN') });
});

it('a guild the bot is not in: 404', async () => {
  const { createApiToken } = await import('../../lib/api-tokens');
  const gone = '999999999999999999';
  await env.prisma.guild.create({ data: { id: gone, name: 'Left', ownerId: env.demo.owner.id } });
  const token = (await createApiToken(env.prisma, { guildId: gone, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const res = await env.api('GET', '/channels', { guildId: gone, token });
  expect(res.status).toBe(404);
  expect(res.body.error.message).toContain(gone);
});

it('levels: a member token is refused, another guild token too', async () => {
  for (const what of ['channels', 'roles']) {
    const res = await env.api('GET', `/${what}`, { token: env.tokens.user });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await env.api('GET', `/${what}`, { guildId: '999999999999999998' })).status).toBe(403);
  }
  expect((await env.api('GET', '/roles', { token: 'nope' })).status).toBe(401);
});
