import { createGuildDirectory, requireInGuild } from '../../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../../lib/discord/rest';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord';

describe('guild directory (what Discord says belongs to a guild)', () => {
  let fake: FakeDiscord;
  let rest: ReturnType<typeof createDiscordRest>;
  beforeAll(async () => {
    fake = await startFakeDiscord();
    rest = createDiscordRest({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.restUrl });
  });
  afterAll(async () => {
    closeDiscordRest(rest);
    await fake?.close();
  });

  it("answers only for the guild's own channels, roles and members", async () => {
    const a = fake.createGuild({ name: 'A' });
    const b = fake.createGuild({ name: 'B' });
    const inB = fake.createChannel(b.id, { name: 'b-news' });
    const inA = fake.createChannel(a.id, { name: 'a-news' });
    const roleB = fake.createRole(b.id, { name: 'B ping' });
    const roleA = fake.createRole(a.id, { name: 'A ping' });
    const user = fake.createUser({ username: 'only-in-b' });
    fake.addMember(b.id, user.id, { roles: [roleB.id] });
    const directory = createGuildDirectory(rest!);

    await expect(directory.channel(a.id, inA.id)).resolves.toMatchObject({ id: inA.id, guildId: a.id });
    await expect(directory.channel(a.id, inB.id)).resolves.toBeNull();
    await expect(directory.channel(a.id, '123456789012345678')).resolves.toBeNull();
    await expect(directory.hasRole(a.id, roleA.id)).resolves.toBe(true);
    await expect(directory.hasRole(a.id, roleB.id)).resolves.toBe(false);
    await expect(directory.member(b.id, user.id)).resolves.toEqual({ userId: user.id, roleIds: [roleB.id] });
    await expect(directory.member(a.id, user.id)).resolves.toBeNull();
  });

  it('reuses answers for its time to live, and a failed lookup is not remembered', async () => {
    const g = fake.createGuild({ name: 'Cached' });
    const c = fake.createChannel(g.id, { name: 'c' });
    let clock = 0;
    const directory = createGuildDirectory(rest!, { ttlMs: 1000, now: () => clock });
    const lookups = () => fake.requests().filter((r) => r.method === 'GET' && r.route === `/channels/${c.id}`).length;

    fake.inject({ method: 'GET', route: new RegExp(`/channels/${c.id}$`), status: 503, times: 2 });
    await expect(directory.channel(g.id, c.id)).rejects.toThrow();
    await expect(directory.channel(g.id, c.id)).resolves.toMatchObject({ id: c.id });
    const afterFirstAnswer = lookups();
    await expect(directory.channel(g.id, c.id)).resolves.toMatchObject({ id: c.id });
    expect(lookups()).toBe(afterFirstAnswer);
    fake.deleteChannel(c.id);
    clock = 1001;
    await expect(directory.channel(g.id, c.id)).resolves.toBeNull();
    expect(lookups()).toBe(afterFirstAnswer + 1);
  });

  it('finds a role created after the guild\'s roles were cached', async () => {
    const g = fake.createGuild({ name: 'Fresh' });
    const directory = createGuildDirectory(rest!);
    const first = fake.createRole(g.id, { name: 'first' });
    await expect(directory.hasRole(g.id, first.id)).resolves.toBe(true);
    const roleLookups = () => fake.requests().filter((r) => r.method === 'GET' && r.route === `/guilds/${g.id}/roles`).length;
    const cachedLookups = roleLookups();
    await expect(directory.hasRole(g.id, first.id)).resolves.toBe(true);
    expect(roleLookups()).toBe(cachedLookups);

    const later = fake.createRole(g.id, { name: 'made a moment later' });
    await expect(directory.hasRole(g.id, later.id)).resolves.toBe(true);
    await expect(directory.hasRole(g.id, '123456789012345678')).resolves.toBe(false);

  });

  it('requireInGuild names the field of a foreign id, needs no directory without ids, and answers 503 when it cannot check', async () => {
    const a = fake.createGuild({ name: 'Scope A' });
    const b = fake.createGuild({ name: 'Scope B' });
    const own = fake.createChannel(a.id, { name: 'own' });
    const theirs = fake.createRole(b.id, { name: 'theirs' });
    const directory = createGuildDirectory(rest!);

    await expect(requireInGuild(undefined, a.id, { channels: { channelId: null }, roles: { roleIds: undefined } })).resolves.toBeUndefined();
    await expect(requireInGuild(undefined, a.id, { channels: { channelId: own.id } })).rejects.toMatchObject({ code: 'discord_unavailable', status: 503 });
    await expect(requireInGuild(directory, a.id, { channels: { channelId: own.id } })).resolves.toBeUndefined();
    await expect(requireInGuild(directory, a.id, { channels: { channelId: own.id }, roles: { modRoleIds: [theirs.id] } })).rejects.toMatchObject({
      code: 'not_in_guild',
      status: 400,
      details: { field: 'modRoleIds', id: theirs.id },
    });
    const fresh = fake.createChannel(a.id, { name: 'unreachable' });
    fake.inject({ method: 'GET', route: new RegExp(`/channels/${fresh.id}$`), status: 503, times: 2 });
    await expect(requireInGuild(directory, a.id, { channels: { logChannel: fresh.id } })).rejects.toMatchObject({ code: 'discord_unavailable', status: 503 });
  });
});
