import { setTimeout as simulateWork } from 'node:timers/promises';
import zlib from 'node:zlib';
import { REST } from '@discordjs/rest';
import { InteractionResponseType, Routes, type RESTPostAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
  type Message,
  type PartialMessage,
  type TextChannel,
} from 'discord.js';
import { WebSocket } from 'ws';
import { startFakeDiscord, type FakeDiscord, type FakeGuild, type FakeUser } from './discord';

/** The commands the "bot" under test deploys (a subset of what Guildflow's registry would produce). */
const COMMANDS: RESTPostAPIApplicationCommandsJSONBody[] = [
  { name: 'ping', description: 'Replies pong' },
  { name: 'secret', description: 'Replies ephemerally' },
  { name: 'slow', description: 'Defers, then follows up and edits' },
  { name: 'late', description: 'Replies after the acknowledgement window' },
  { name: 'twice', description: 'Acknowledged by two processes' },
  { name: 'apply', description: 'Opens a modal' },
  {
    name: 'give',
    description: 'Gives coins',
    options: [
      { type: ApplicationCommandOptionType.User, name: 'to', description: 'Recipient', required: true },
      { type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How many', required: true, min_value: 1 },
    ],
  },
];

/** Short acknowledgement window (Discord: 3 s) so the "too late" path costs ~1.7 s; still ample for in-process replies. */
const ACK_TIMEOUT_MS = 1500;

describe('fake Discord against discord.js 14 and @discordjs/rest', () => {
  let fake: FakeDiscord;
  let client: Client;
  let guild: FakeGuild;
  let alice: FakeUser;
  let bob: FakeUser;
  /** The bot's single InteractionCreate dispatcher delegates to whatever the current test installs. */
  let onInteraction: (i: Interaction) => Promise<void> = async () => undefined;
  /** Errors and warnings discord.js reports: any of them means the fake sent something it did not expect. */
  const clientProblems: unknown[] = [];

  const text = () => client.channels.cache.get(guild.systemChannelId) as TextChannel;

  beforeAll(async () => {
    fake = await startFakeDiscord({ interactionAckTimeoutMs: ACK_TIMEOUT_MS });
    guild = fake.createGuild({ name: 'Guildflow Test' });
    alice = fake.createUser({ username: 'alice' });
    bob = fake.createUser({ username: 'bob' });
    fake.addMember(guild.id, alice.id);
    fake.addMember(guild.id, bob.id, { nick: 'Bobby' });
    client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMembers,
        GatewayIntentBits.GuildPresences,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
      ],
      rest: { api: fake.restUrl },
    });
    client.on(Events.Error, (err) => clientProblems.push(err));
    client.on(Events.Warn, (warning) => clientProblems.push(warning));
    client.on(Events.InteractionCreate, (i) => {
      void onInteraction(i).catch((err: unknown) => client.emit(Events.Error, err as Error));
    });
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await ready;
    await client.application?.commands.set(COMMANDS);
  });

  afterEach(() => {
    fake.clearFaults();
    onInteraction = async () => undefined;
    expect(fake.internalErrors()).toEqual([]);
    expect(clientProblems).toEqual([]);
  });

  afterAll(async () => {
    await client?.destroy();
    await fake?.close();
  });

  it('logs discord.js in: READY, then GUILD_CREATE caches the guild with channels, roles and members', () => {
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const cached = client.guilds.cache.get(guild.id);
    expect(cached?.name).toBe('Guildflow Test');
    expect(cached?.ownerId).toBe(guild.ownerId);
    expect(cached?.channels.cache.get(guild.systemChannelId)?.name).toBe('general');
    expect(cached?.roles.everyone.id).toBe(guild.id);
    expect(cached?.members.me?.roles.botRole?.id).toBe(guild.botRoleId);
    expect(cached?.members.cache.get(bob.id)?.nickname).toBe('Bobby');
    expect(fake.dispatches().map((d) => d.t).slice(0, 2)).toEqual(['READY', 'GUILD_CREATE']);
  });

  it('checks the bot token: 401 on REST, close 4004 on IDENTIFY (after HELLO and a heartbeat ACK)', async () => {
    const rest = new REST({ api: fake.restUrl }).setToken('not-the-token');
    await expect(rest.get(Routes.user('@me'))).rejects.toMatchObject({ status: 401, code: 0, message: '401: Unauthorized' });

    const ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
    const ops: number[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number };
      ops.push(payload.op);
      if (payload.op === 10) ws.send(JSON.stringify({ op: 1, d: null }));
      if (payload.op === 11) ws.send(JSON.stringify({ op: 2, d: { token: 'nope', intents: 1, properties: {} } }));
    });
    expect(await closed).toBe(4004);
    expect(ops).toEqual([10, 11]);
  });

  it('speaks zlib-stream when a client asks for it (one deflate context, a sync flush per payload)', async () => {
    const ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = zlib.createInflate();
    const hello = new Promise<unknown>((resolve) => inflate.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()))));
    ws.on('message', (raw: Buffer) => inflate.write(raw));
    expect(await hello).toEqual({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null });
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
    ws.close(1000);
    await closed;
    inflate.close();
  });

  it('sends GUILD_CREATE for a guild created while connected', async () => {
    const joined = new Promise<string>((resolve) => client.once(Events.GuildCreate, (g) => resolve(g.name)));
    const later = fake.createGuild({ name: 'Joined Later' });
    expect(await joined).toBe('Joined Later');
    expect(client.guilds.cache.get(later.id)?.channels.cache.size).toBe(1);
  });

  it('records the global bulk overwrite and keeps command ids on redeploy', async () => {
    const first = fake.commands();
    expect(first.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
    expect(first.find((c) => c.name === 'give')?.options?.map((o) => o.name)).toEqual(['to', 'amount']);
    await client.application?.commands.set(COMMANDS);
    expect(fake.commands().map((c) => c.id)).toEqual(first.map((c) => c.id));
    const put = fake.requests().filter((r) => r.method === 'PUT' && r.route === `/applications/${fake.applicationId}/commands`);
    expect(put.map((r) => r.status)).toEqual([200, 200]);
    // Discord rejects what it would reject: an upper-case name is 50035.
    await expect(client.application?.commands.set([{ name: 'Bad', description: 'x' }])).rejects.toMatchObject({ code: 50035 });
    // Guild commands live apart from global ones; a guild command of the same name wins in that guild.
    await client.application?.commands.set([{ name: 'ping', description: 'Guild ping' }], guild.id);
    expect(fake.commands(guild.id).map((c) => [c.name, c.guild_id])).toEqual([['ping', guild.id]]);
    const slash = fake.slash(guild.id, alice.id, 'ping');
    expect((slash.payload.data as { guild_id?: string }).guild_id).toBe(guild.id);
    await client.application?.commands.set([], guild.id);
    expect(fake.commands(guild.id)).toEqual([]);
  });

  it('delivers a slash command with typed options and records the reply', async () => {
    let seen: { amount: number | null; to: string | undefined } | undefined;
    onInteraction = async (i) => {
      if (!i.isChatInputCommand()) return;
      seen = { amount: i.options.getInteger('amount'), to: i.options.getUser('to')?.username };
      await i.reply({ content: `gave ${seen.amount} to ${seen.to}` });
    };
    const slash = fake.slash(guild.id, alice.id, 'give', { to: bob.id, amount: 5 });
    const response = await slash.waitForResponse();
    expect(seen).toEqual({ amount: 5, to: 'bob' });
    expect(response).toMatchObject({ kind: 'callback', type: InteractionResponseType.ChannelMessageWithSource, ephemeral: false });
    expect(slash.original()?.content).toBe('gave 5 to bob');
    expect(fake.messages(guild.systemChannelId).at(-1)).toMatchObject({ content: 'gave 5 to bob', interactionId: slash.id, authorId: fake.botUser.id });
  });

  it('records the ephemeral flag of a reply, and answers ?with_response=true with the callback resource', async () => {
    let resource: { content: string | undefined; ephemeral: boolean | undefined } | undefined;
    onInteraction = async (i) => {
      if (!i.isChatInputCommand()) return;
      const response = await i.reply({ content: 'only you', flags: MessageFlags.Ephemeral, withResponse: true });
      resource = { content: response.resource?.message?.content, ephemeral: response.interaction.responseMessageEphemeral ?? undefined };
    };
    const slash = fake.slash(guild.id, alice.id, 'secret');
    expect(await slash.waitForResponse()).toMatchObject({ ephemeral: true, data: { content: 'only you', flags: MessageFlags.Ephemeral } });
    expect(slash.original()).toMatchObject({ ephemeral: true });
    await fake.waitFor(() => resource);
    expect(resource).toEqual({ content: 'only you', ephemeral: true });
    // Ephemeral responses are not channel messages: the channel endpoint does not know them.
    await expect(client.rest.get(Routes.channelMessage(guild.systemChannelId, slash.original()!.id))).rejects.toMatchObject({ code: 10008 });
  });

  it('records deferReply, followUp and editReply in order', async () => {
    onInteraction = async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.followUp('working on it');
      await i.editReply('done');
    };
    const slash = fake.slash(guild.id, alice.id, 'slow');
    const steps = await slash.waitForResponses(3);
    expect(steps.map((s) => [s.kind, s.type])).toEqual([
      ['callback', InteractionResponseType.DeferredChannelMessageWithSource],
      ['followup', undefined],
      ['edit', undefined],
    ]);
    // Discord fills the "thinking" message with the first follow-up; the edit then changes that message.
    expect(steps[1]?.messageId).toBe(steps[0]?.messageId);
    expect(slash.original()).toMatchObject({ content: 'done', flags: 0 });
  });

  it('refuses a reply after the acknowledgement window (10062) and a second acknowledgement (40060)', async () => {
    const errors: unknown[] = [];
    onInteraction = async (i) => {
      if (!i.isChatInputCommand()) return;
      if (i.commandName === 'late') {
        await simulateWork(ACK_TIMEOUT_MS + 200); // the bot being slow, which is what is under test
        await i.reply('too late').catch((err: unknown) => errors.push(err));
        return;
      }
      await i.reply('first');
      // A second process answering the same interaction (discord.js itself refuses before sending).
      await client.rest
        .post(Routes.interactionCallback(i.id, i.token), {
          body: { type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'second' } },
          auth: false,
        })
        .catch((err: unknown) => errors.push(err));
    };
    const late = fake.slash(guild.id, alice.id, 'late');
    const twice = fake.slash(guild.id, alice.id, 'twice');
    await fake.waitFor(() => errors.length === 2, 5000, 'two refused acknowledgements');
    const codes = errors.map((e) => (e instanceof DiscordAPIError ? e.code : e)).sort();
    expect(codes).toEqual([10062, 40060]);
    expect(late.responses()).toEqual([]);
    expect(twice.responses().map((r) => r.data)).toEqual([expect.objectContaining({ content: 'first' })]);
  });

  it('delivers button clicks and select menus as component interactions and records update()', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('gf:buy:sword').setLabel('Buy').setStyle(ButtonStyle.Primary),
      new ButtonBuilder().setCustomId('gf:cancel:sword').setLabel('Cancel').setStyle(ButtonStyle.Secondary),
    );
    const select = new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
      new StringSelectMenuBuilder().setCustomId('gf:pick:item').addOptions({ label: 'Sword', value: 'sword' }, { label: 'Shield', value: 'shield' }),
    );
    const shopMessage = await text().send({ content: 'Shop', components: [row, select] });
    const seen: string[] = [];
    onInteraction = async (i) => {
      if (i.isButton()) {
        seen.push(`button ${i.customId} by ${i.user.username} on ${i.message.id}`);
        await i.update({ content: 'Bought!', components: [] });
      } else if (i.isStringSelectMenu()) {
        seen.push(`select ${i.customId} ${i.values.join(',')}`);
        await i.reply({ content: `picked ${i.values[0]}`, flags: MessageFlags.Ephemeral });
      }
    };
    const picked = fake.selectMenu(shopMessage.id, 'gf:pick:item', bob.id, ['shield']);
    await picked.waitForResponse();
    const click = fake.clickButton(fake.message(shopMessage.id)!, 'gf:buy:sword', alice.id);
    expect(await click.waitForResponse()).toMatchObject({ type: InteractionResponseType.UpdateMessage, messageId: shopMessage.id });
    expect(seen).toEqual(['select gf:pick:item shield', `button gf:buy:sword by alice on ${shopMessage.id}`]);
    expect(fake.message(shopMessage.id)).toMatchObject({ content: 'Bought!', components: [] });
    expect(() => fake.clickButton(shopMessage.id, 'gf:buy:sword', alice.id)).toThrow('has no component with custom_id');
  });

  it('opens a modal and delivers its submission as a ModalSubmitInteraction', async () => {
    let fields: Record<string, string> | undefined;
    onInteraction = async (i) => {
      if (i.isChatInputCommand()) {
        const modal = new ModalBuilder()
          .setCustomId('gf:apply:form')
          .setTitle('Apply')
          .addComponents(
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('name').setLabel('Name').setStyle(TextInputStyle.Short),
            ),
            new ActionRowBuilder<TextInputBuilder>().addComponents(
              new TextInputBuilder().setCustomId('why').setLabel('Why').setStyle(TextInputStyle.Paragraph).setRequired(false),
            ),
          );
        await i.showModal(modal);
      } else if (i.isModalSubmit()) {
        fields = { customId: i.customId, name: i.fields.getTextInputValue('name'), why: i.fields.getTextInputValue('why') };
        await i.reply({ content: `thanks ${fields.name}`, flags: MessageFlags.Ephemeral });
      }
    };
    const opened = fake.slash(guild.id, alice.id, 'apply');
    expect(await opened.waitForResponse()).toMatchObject({ type: InteractionResponseType.Modal });
    expect(opened.modal()?.customId).toBe('gf:apply:form');
    expect(() => fake.submitModal(opened, 'gf:apply:form', alice.id, { why: 'no name' })).toThrow('modal field "name" is required');
    const submitted = fake.submitModal(opened, 'gf:apply:form', alice.id, { name: 'Alice', why: 'I like it' });
    expect(await submitted.waitForResponse()).toMatchObject({ ephemeral: true, data: { content: 'thanks Alice' } });
    expect(fields).toEqual({ customId: 'gf:apply:form', name: 'Alice', why: 'I like it' });
  });

  it('records DMs and refuses them with 50007 when the user closed DMs', async () => {
    const user = await client.users.fetch(alice.id);
    await user.send('Your order shipped');
    expect(fake.dms(alice.id).map((m) => m.content)).toEqual(['Your order shipped']);

    fake.setDmsClosed(bob.id);
    const bobUser = await client.users.fetch(bob.id);
    const failure = await bobUser.send('hello').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DiscordAPIError);
    expect(failure).toMatchObject({ code: 50007, status: 403, message: 'Cannot send messages to this user' });
    expect(fake.dms(bob.id)).toEqual([]);
  });

  it('adds a role below the bot and refuses one at or above it (50013)', async () => {
    const vip = fake.createRole(guild.id, { name: 'VIP' });
    const admin = fake.createRole(guild.id, { name: 'Admin', position: 10 });
    const member = await client.guilds.cache.get(guild.id)!.members.fetch(alice.id);
    await member.roles.add(vip.id, 'bought VIP');
    expect(fake.roleChanges()).toEqual([expect.objectContaining({ guildId: guild.id, userId: alice.id, roleId: vip.id, action: 'add', reason: 'bought VIP' })]);
    expect(fake.member(guild.id, alice.id)?.roles).toContain(vip.id);
    // GUILD_MEMBER_UPDATE reaches the cache too.
    await fake.waitFor(() => client.guilds.cache.get(guild.id)?.members.cache.get(alice.id)?.roles.cache.has(vip.id));

    await expect(member.roles.add(admin.id)).rejects.toMatchObject({ code: 50013, status: 403, message: 'Missing Permissions' });
    fake.setBotRolePosition(guild.id, 100);
    await member.roles.add(admin.id);
    expect(fake.member(guild.id, alice.id)?.roles).toContain(admin.id);
  });

  it('changes nicknames below the bot but never the owner’s (50013)', async () => {
    const cached = client.guilds.cache.get(guild.id)!;
    await (await cached.members.fetch(bob.id)).setNickname('Robert');
    expect(fake.nicknameChanges().at(-1)).toMatchObject({ userId: bob.id, from: 'Bobby', to: 'Robert' });
    const owner = await cached.members.fetch(guild.ownerId);
    await expect(owner.setNickname('Boss')).rejects.toMatchObject({ code: 50013 });
  });

  it('honours an injected 429: @discordjs/rest waits retry_after and the message arrives once', async () => {
    fake.inject({ method: 'POST', route: /^\/channels\/\d+\/messages$/, status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await text().send('after the rate limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.messages(guild.systemChannelId).filter((m) => m.content === 'after the rate limit')).toHaveLength(1);
    const posts = fake.requests().filter((r) => r.method === 'POST' && r.route === `/channels/${guild.systemChannelId}/messages`).slice(-2);
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
  });

  it('has a plain @discordjs/rest client retry an injected 500 and succeed', async () => {
    const rest = new REST({ api: fake.restUrl }).setToken(fake.token);
    fake.inject({ route: /\/messages$/, status: 500 });
    const message = (await rest.post(Routes.channelMessages(guild.systemChannelId), { body: { content: 'after a 500' } })) as { id: string };
    expect(fake.message(message.id)?.content).toBe('after a 500');
    expect(fake.requests().slice(-2).map((r) => r.status)).toEqual([500, 200]);
  });

  it('records a multipart .txt upload with its bytes', async () => {
    const bytes = Buffer.from('receipt #42\n100 coins\n');
    const sent = await text().send({ content: 'your receipt', files: [{ attachment: bytes, name: 'receipt.txt' }] });
    const [attachment] = fake.message(sent.id)?.attachments ?? [];
    expect(attachment).toMatchObject({ filename: 'receipt.txt', size: bytes.length, contentType: 'text/plain; charset=utf-8' });
    expect(attachment?.data.equals(bytes)).toBe(true);
    expect(sent.attachments.first()?.name).toBe('receipt.txt');
    // The attachment URL is served by the fake, as Discord's CDN would serve it.
    const download = await fetch(sent.attachments.first()!.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('pages history as Discord does: newest first, 50 by default, at most 100, with the route\'s rate-limit headers', async () => {
    const channelId = fake.createChannel(guild.id, { name: 'history' }).id;
    const ids = Array.from({ length: 120 }, (_, i) => fake.postMessage(channelId, bob.id, `m${i}`, i === 0 ? { attachments: [{ filename: 'a.txt' }] } : {}).id);
    const get = (query: string) => fetch(`${fake.restUrl}/v10/channels/${channelId}/messages?${query}`, { headers: { authorization: `Bot ${fake.token}` } });
    const latest = await get('');
    expect(latest.headers.get('x-ratelimit-limit')).toBe('50');
    expect(latest.headers.get('x-ratelimit-bucket')).toBeTruthy();
    expect(((await latest.json()) as { id: string }[]).map((m) => m.id)).toEqual(ids.slice(-50).reverse());
    const before = (await (await get(`before=${ids[100]}&limit=100`)).json()) as { id: string }[];
    expect(before.map((m) => m.id)).toEqual(ids.slice(0, 100).reverse());
    const after = (await (await get('after=0&limit=2')).json()) as { id: string; attachments: { filename: string; url: string }[] }[];
    expect(after.map((m) => m.id)).toEqual([ids[1], ids[0]]);
    expect(after[1]!.attachments[0]!.filename).toBe('a.txt');
    expect(await (await fetch(after[1]!.attachments[0]!.url)).text()).toBe('contents of a.txt');
    const tooMany = await get('limit=101');
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { code: number }).code).toBe(50035);
  });

  it('dispatches MESSAGE_DELETE when a moderator deletes a message, which discord.js emits as messageDelete', async () => {
    const sent = await text().send('delete me');
    const deleted = new Promise<Message | PartialMessage>((resolve) => client.once(Events.MessageDelete, resolve));
    fake.deleteMessage(guild.systemChannelId, sent.id);
    expect((await deleted).id).toBe(sent.id);
    expect(fake.message(sent.id)).toBeUndefined();
  });

  it('delivers members’ messages without content when the bot lacks the Message Content intent', async () => {
    const received = new Promise<Message>((resolve) => client.once(Events.MessageCreate, resolve));
    const posted = fake.postMessage(guild.systemChannelId, bob.id, 'hello bot');
    const message = await received;
    expect({ id: message.id, author: message.author.id, content: message.content }).toEqual({ id: posted.id, author: bob.id, content: '' });
    expect(fake.message(posted.id)?.content).toBe('hello bot');
  });

  it('offers a command only to members holding its default_member_permissions', async () => {
    await client.application?.commands.set([{ name: 'grant', description: 'Admin only', default_member_permissions: '8' }], guild.id);
    expect(() => fake.slash(guild.id, alice.id, 'grant')).toThrow('lacks default_member_permissions 8');
    onInteraction = async (i) => {
      if (i.isChatInputCommand()) await i.reply({ content: 'you are not an admin', flags: MessageFlags.Ephemeral });
    };
    const forced = fake.slash(guild.id, alice.id, 'grant', {}, { ignoreCommandPermissions: true });
    expect(await forced.waitForResponse()).toMatchObject({ ephemeral: true });
    await client.application?.commands.set([], guild.id);
  });

  it('creates and deletes channels and threads through discord.js, dispatching CHANNEL_/THREAD_ events', async () => {
    const cached = client.guilds.cache.get(guild.id)!;
    const created = await cached.channels.create({ name: 'Ticket 1', type: ChannelType.GuildText });
    expect(fake.channel(created.id)).toMatchObject({ name: 'ticket-1', type: ChannelType.GuildText });
    const starter = await created.send('topic');
    const thread = await starter.startThread({ name: 'discussion' });
    expect(thread.id).toBe(starter.id);
    expect(fake.channel(thread.id)).toMatchObject({ type: ChannelType.PublicThread, parentId: created.id });
    const gone = new Promise<string>((resolve) => client.once(Events.ChannelDelete, (c) => resolve(c.id)));
    fake.deleteChannel(created.id);
    expect(await gone).toBe(created.id);
    await expect(client.rest.get(Routes.channel(created.id))).rejects.toMatchObject({ code: 10003, status: 404 });
  });

  it('rejects bad payloads as Discord does: 50035 with the field tree, 50006 for an empty message', async () => {
    const tooLong = await text().send('x'.repeat(2001)).catch((err: unknown) => err);
    expect(tooLong).toMatchObject({ code: 50035, status: 400, rawError: { errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } });
    const twin = new ButtonBuilder().setCustomId('gf:same').setLabel('A').setStyle(ButtonStyle.Primary);
    const dup = await text()
      .send({ content: 'dup', components: [new ActionRowBuilder<ButtonBuilder>().addComponents(twin, ButtonBuilder.from(twin.toJSON()).setLabel('B'))] })
      .catch((err: unknown) => err);
    const secondButton = { custom_id: { _errors: [{ code: 'COMPONENT_CUSTOM_ID_DUPLICATED' }] } };
    expect(dup).toMatchObject({ code: 50035, rawError: { errors: { components: { 0: { components: { 1: secondButton } } } } } });
    await expect(client.rest.post(Routes.channelMessages(guild.systemChannelId), { body: {} })).rejects.toMatchObject({ code: 50006 });
  });

  it('applies denyPermission, latency and clearFaults', async () => {
    fake.denyPermission({ channelId: guild.systemChannelId });
    await expect(text().send('denied')).rejects.toMatchObject({ code: 50013, status: 403 });
    fake.clearFaults();
    fake.setLatency({ route: /\/messages$/, ms: 300 });
    const started = Date.now();
    const sending = text().send('slow network');
    // A held request is visible as pending (the bot has it in flight) and recorded only once answered.
    const route = `/channels/${guild.systemChannelId}/messages`;
    const held = await fake.waitFor(() => fake.pendingRequests().find((r) => r.route === route), 1000, 'the held request');
    expect(held).toMatchObject({ method: 'POST', at: expect.any(Number) });
    expect(fake.requests().some((r) => r.method === 'POST' && r.route === route && r.at >= held.at)).toBe(false);
    await sending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(fake.requests().at(-1)).toMatchObject({ status: 200, durationMs: expect.any(Number) });
    expect(fake.pendingRequests()).toEqual([]);
  });

  it('answers gateway member requests, private-thread membership and channel overwrites', async () => {
    const cached = client.guilds.cache.get(guild.id)!;
    const all = await cached.members.fetch(); // op 8 Request Guild Members → GUILD_MEMBERS_CHUNK
    expect(all.size).toBe(4);
    const ticket = await text().threads.create({ name: 'ticket-alice', type: ChannelType.PrivateThread });
    await ticket.members.add(alice.id);
    expect(fake.channel(ticket.id)).toMatchObject({ type: ChannelType.PrivateThread, parentId: guild.systemChannelId });
    await text().permissionOverwrites.edit(bob.id, { ViewChannel: false });
    const before = fake.requests().length;
    expect(() => fake.slash(guild.id, bob.id, 'ping')).toThrow('cannot see channel');
    expect(fake.requests()).toHaveLength(before);
    // The bot cannot grant what it does not have (Administrator here).
    await expect(text().permissionOverwrites.edit(bob.id, { Administrator: true })).rejects.toMatchObject({ code: 50013 });
    await text().permissionOverwrites.delete(bob.id);
  });

  it('resumes after a gateway op 7 Reconnect and replays what was dispatched meanwhile', async () => {
    onInteraction = async (i) => {
      if (i.isChatInputCommand()) await i.reply('still here');
    };
    fake.gatewayReconnect();
    await fake.waitFor(() => fake.connectedSessions() === 0, 5000, 'discord.js to close the connection after op 7');
    // Dispatched while discord.js is away: it can only arrive through RESUME's replay.
    const slash = fake.slash(guild.id, alice.id, 'ping');
    expect(await slash.waitForResponse()).toMatchObject({ data: { content: 'still here' } });
    expect(fake.handshakes().filter((h) => h.op === 'resume')).toEqual([expect.objectContaining({ accepted: true })]);
    expect(fake.dispatches().filter((d) => d.t === 'RESUMED')).toHaveLength(1);
    await fake.waitForGateway();
  });
});
