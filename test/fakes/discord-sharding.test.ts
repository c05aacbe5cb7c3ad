import { REST } from '@discordjs/rest';
import { GatewayOpcodes, InteractionContextType, Routes, type RESTGetAPIGatewayBotResult } from 'discord-api-types/v10';
import { WebSocket } from 'ws';
import { shardOfGuild, startFakeDiscord, type FakeDiscord, type FakeGuild, type FakeUser, type ShardTuple } from './discord';
import { SnowflakeGenerator } from './discord/snowflake';

/**
 * The fake gateway shards as Discord does: a session IDENTIFYs with [shard_id, num_shards] and gets only
 * the guilds with (guild_id >> 22) % num_shards === shard_id — in READY, as GUILD_CREATEs and in every
 * dispatch of theirs; DMs go to shard 0. Driven here by raw gateway sessions, so what each shard receives
 * is exactly what is asserted.
 */

interface Dispatch {
  t: string;
  s: number;
  d: Record<string, unknown>;
}

/** A raw gateway connection: HELLO, then IDENTIFY (or RESUME), recording every dispatch. */
class RawSession {
  readonly events: Dispatch[] = [];
  readonly closed: Promise<number>;
  readonly ws: WebSocket;

  private constructor(fake: FakeDiscord, firstPayload: (hello: unknown) => unknown) {
    this.ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
    this.ws.on('message', (raw) => {
      const payload = JSON.parse(raw.toString()) as { op: number; t: string; s: number; d: Record<string, unknown> };
      if (payload.op === GatewayOpcodes.Hello) this.ws.send(JSON.stringify(firstPayload(payload)));
      if (payload.op === GatewayOpcodes.Dispatch) this.events.push({ t: payload.t, s: payload.s, d: payload.d });
    });
  }

  static identify(fake: FakeDiscord, shard?: unknown): RawSession {
    return new RawSession(fake, () => ({ op: GatewayOpcodes.Identify, d: { token: fake.token, intents: 0b11_0000_0011, properties: {}, ...(shard !== undefined ? { shard } : {}) } }));
  }

  static resume(fake: FakeDiscord, sessionId: string, seq: number): RawSession {
    return new RawSession(fake, () => ({ op: GatewayOpcodes.Resume, d: { token: fake.token, session_id: sessionId, seq } }));
  }

  get ready() {
    return this.events.find((e) => e.t === 'READY')?.d as { session_id: string; shard: ShardTuple; guilds: { id: string }[] } | undefined;
  }

  get seq(): number {
    return this.events.at(-1)?.s ?? 0;
  }

  /** Guild ids of the events of type `t` (GUILD_CREATE's id, other events' guild_id). */
  guildsOf(t: string): string[] {
    return this.events.filter((e) => e.t === t).map((e) => String(e.d.guild_id ?? e.d.id));
  }

  /** Ends the session as a clean close (1000) does on Discord. */
  async close(): Promise<void> {
    this.ws.close(1000);
    await this.closed;
  }
}

describe('the fake gateway, sharded', () => {
  let fake: FakeDiscord;
  let onZero: FakeGuild;
  let onOne: FakeGuild;
  let alice: FakeUser;
  const open: RawSession[] = [];

  /** A session on `shard`, once READY and its guilds' GUILD_CREATEs have arrived. */
  async function connect(shard?: ShardTuple): Promise<RawSession> {
    const session = RawSession.identify(fake, shard);
    open.push(session);
    await fake.waitFor(() => session.ready && session.events.filter((e) => e.t === 'GUILD_CREATE').length === session.ready.guilds.length, 5000, `READY on shard ${String(shard)}`);
    return session;
  }

  beforeAll(async () => {
    fake = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 2 });
    alice = fake.createUser({ username: 'alice' });
    onZero = fake.createGuild({ name: 'Shard Zero', shard: [0, 2] });
    onOne = fake.createGuild({ name: 'Shard One', shard: [1, 2] });
    for (const g of [onZero, onOne]) fake.addMember(g.id, alice.id);
    // Guild and DM contexts, so the DM test can run it too.
    const contexts = [InteractionContextType.Guild, InteractionContextType.BotDM];
    await new REST({ api: fake.restUrl }).setToken(fake.token).put(Routes.applicationCommands(fake.applicationId), { body: [{ name: 'ping', description: 'Ping', contexts }] });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    expect(fake.internalErrors()).toEqual([]);
  });

  afterAll(() => fake?.close());

  it('answers GET /gateway/bot with its recommended shard count and max_concurrency', async () => {
    const result = (await new REST({ api: fake.restUrl }).setToken(fake.token).get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    expect(result).toMatchObject({ url: fake.gatewayUrl, shards: 2, session_start_limit: { max_concurrency: 2 } });
  });

  it('places a guild on the shard asked for, by Discord’s formula, with ids that keep increasing', () => {
    expect([shardOfGuild(onZero.id, 2), shardOfGuild(onOne.id, 2)]).toEqual([0, 1]);
    // More ids than one millisecond holds (4096), all on shard 2 of 3 and each above the last.
    const ids = new SnowflakeGenerator();
    const at = Date.now();
    const made = Array.from({ length: 5000 }, () => BigInt(ids.next(at, [2, 3])));
    expect(made.every((id, i) => shardOfGuild(String(id), 3) === 2 && (i === 0 || id > made[i - 1]!))).toBe(true);
  });

  it('sends each shard its own guilds in READY and as GUILD_CREATEs; no shard means all of them', async () => {
    const [zero, one, whole] = await Promise.all([connect([0, 2]), connect([1, 2]), connect()]);
    expect(zero.ready).toMatchObject({ shard: [0, 2], guilds: [{ id: onZero.id }] });
    expect(zero.guildsOf('GUILD_CREATE')).toEqual([onZero.id]);
    expect(one.ready).toMatchObject({ shard: [1, 2], guilds: [{ id: onOne.id }] });
    expect(one.guildsOf('GUILD_CREATE')).toEqual([onOne.id]);
    expect(whole.ready?.shard).toEqual([0, 1]);
    expect(whole.guildsOf('GUILD_CREATE').sort()).toEqual([onZero.id, onOne.id].sort());
    expect(fake.handshakes().slice(-3).map((h) => h.shard)).toEqual(expect.arrayContaining([[0, 2], [1, 2], [0, 1]]));
  });

  it('routes every guild event and interaction to its guild’s shard only, and DMs to shard 0', async () => {
    const [zero, one] = await Promise.all([connect([0, 2]), connect([1, 2])]);
    const bob = fake.createUser({ username: 'bob' });
    fake.addMember(onZero.id, bob.id);
    fake.addMember(onOne.id, bob.id);
    fake.postMessage(onOne.systemChannelId, alice.id, 'hello shard one');
    const doomed = fake.createChannel(onZero.id, { name: 'doomed' });
    fake.deleteChannel(doomed.id);
    const joined = fake.createGuild({ name: 'Joined Later', shard: [1, 2] });
    const inZero = fake.slash(onZero.id, alice.id, 'ping');
    const inOne = fake.slash(onOne.id, alice.id, 'ping');
    const inDm = fake.slash(null, alice.id, 'ping');
    await fake.waitFor(() => zero.guildsOf('INTERACTION_CREATE').length === 2 && one.guildsOf('INTERACTION_CREATE').length === 1, 5000, 'the interactions');

    expect(zero.guildsOf('GUILD_MEMBER_ADD')).toEqual([onZero.id]);
    expect(one.guildsOf('GUILD_MEMBER_ADD')).toEqual([onOne.id]);
    expect(zero.guildsOf('MESSAGE_CREATE')).toEqual([]);
    expect(one.guildsOf('MESSAGE_CREATE')).toEqual([onOne.id]);
    expect(zero.guildsOf('CHANNEL_DELETE')).toEqual([onZero.id]);
    expect(one.guildsOf('CHANNEL_DELETE')).toEqual([]);
    expect(zero.guildsOf('GUILD_CREATE')).toEqual([onZero.id]);
    expect(one.guildsOf('GUILD_CREATE')).toEqual([onOne.id, joined.id]);
    const interactionIds = (s: RawSession) => s.events.filter((e) => e.t === 'INTERACTION_CREATE').map((e) => e.d.id);
    expect(interactionIds(zero)).toEqual([inZero.id, inDm.id]);
    expect(interactionIds(one)).toEqual([inOne.id]);
    // The record says which shard got what.
    expect(fake.dispatches().filter((d) => d.t === 'INTERACTION_CREATE' && d.d === inOne.payload).map((d) => d.shard)).toEqual([[1, 2]]);
    fake.removeMember(joined.id, fake.botUser.id);
  });

  it('refuses a shard outside [0, num_shards) with close 4010', async () => {
    for (const shard of [[2, 2], [-1, 2], [0, 0], [1], 'one', [0.5, 2]]) {
      expect({ shard, code: await RawSession.identify(fake, shard).closed }).toEqual({ shard, code: 4010 });
    }
  });

  it('gives a shard that IDENTIFYs again its guilds again, and a RESUMEd one what it missed of its own', async () => {
    const one = await connect([1, 2]);
    one.ws.terminate();
    await one.closed;
    const again = await connect([1, 2]);
    expect(again.ready?.guilds).toEqual([{ id: onOne.id, unavailable: true }]);

    const zero = await connect([0, 2]);
    const { session_id: sessionId } = zero.ready!;
    const seq = zero.seq;
    zero.ws.terminate();
    await zero.closed;
    fake.postMessage(onOne.systemChannelId, alice.id, 'for shard one');
    fake.postMessage(onZero.systemChannelId, alice.id, 'for shard zero');
    const resumed = RawSession.resume(fake, sessionId, seq);
    open.push(resumed);
    await fake.waitFor(() => resumed.events.some((e) => e.t === 'RESUMED'), 5000, 'RESUMED');
    expect(resumed.events.map((e) => [e.t, e.d.guild_id])).toEqual([
      ['MESSAGE_CREATE', onZero.id],
      ['RESUMED', undefined],
    ]);
  });
});
