import { randomBytes } from 'node:crypto';
import type { APIEmbed } from 'discord-api-types/v10';
import { startFakeDiscord, type FakeDiscord, type FakeGuild, type FakeUser, type ShardTuple } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { logLine, startEntry, type RunningEntry } from '../helpers/entry-point';
import { fund } from '../helpers/ledger';
import { descendants, stillRunning } from '../helpers/processes';
import { testTemporalAddress } from '../helpers/temporal';
import { createLedger } from '../../activities/ledger';

/**
 * `npm run bot` sharded (bot/main.ts as the manager, each shard its own process) against the fake
 * Discord, whose gateway routes each guild's events to the guild's shard as Discord does: each guild is
 * answered by its own shard's process, a shard killed with SIGKILL is respawned and answers again while
 * the other keeps answering, and SIGTERM to the manager stops every shard cleanly.
 */

/** The first answer may wait for a process's first database and Temporal round trips, with both cores busy. */
const ANSWER_MS = 15_000;

describe('npm run bot with DISCORD_SHARD_COUNT: one process per shard', () => {
  let db: TestDatabase;
  const fakes: FakeDiscord[] = [];
  const bots: RunningEntry[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const bot of bots) for (const p of descendants(bot.child.pid!)) process.kill(p.pid, 'SIGKILL');
    for (const bot of bots) bot.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exited));
    await Promise.all(fakes.map((f) => f.close()));
    await db?.drop();
  });

  /** A fake Discord with one guild per shard (alice in each, with `100 × (shard + 1)` coins), and the bot's process on it. */
  async function startSharded(shardSetting: string, fakeOptions: { recommendedShards?: number; shardCount: number }) {
    const count = fakeOptions.shardCount;
    const discord = await startFakeDiscord({ recommendedShards: fakeOptions.recommendedShards ?? 1, maxConcurrency: count });
    fakes.push(discord);
    const alice = discord.createUser({ username: 'alice' });
    const guilds = Array.from({ length: count }, (_, shard) => discord.createGuild({ name: `Shard ${shard}`, shard: [shard, count] }));
    for (const g of guilds) discord.addMember(g.id, alice.id);
    const bot = startEntry('bot/main.ts', {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: `sharding-${randomBytes(4).toString('hex')}`,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
      DISCORD_SHARD_COUNT: shardSetting,
    });
    bots.push(bot);
    // Each shard logs in from its own process with only its guild (and synced it).
    const shards = await Promise.all(guilds.map((_, shard) => loggedIn(bot, shard)));
    const ledger = createLedger(db.prisma);
    await Promise.all(guilds.map((g, shard) => fund(ledger, g.id, alice.id, BigInt(100 * (shard + 1)))));
    return { discord, alice, guilds, bot, shards };
  }

  /** The newest "bot logged in" of `shard` (after `notPid`'s, when given): its pid and guild count. */
  async function loggedIn(bot: RunningEntry, shard: number, notPid?: number): Promise<{ pid: number; guilds: number; shardCount: number }> {
    const line = await logLine(bot, (l) => l.msg === 'bot logged in' && String(l.shards) === String(shard) && l.pid !== notPid, 120_000);
    return { pid: line.pid as number, guilds: line.guilds as number, shardCount: line.shardCount as number };
  }

  /** Runs /balance as alice in `guild` and returns the answer's text and the shard its interaction went to. */
  async function balanceIn(discord: FakeDiscord, guild: FakeGuild, alice: FakeUser): Promise<{ text: string; shard: ShardTuple | undefined }> {
    const slash = discord.slash(guild.id, alice.id, 'balance');
    const answer = await slash.waitForResponse(ANSWER_MS);
    const embed = (answer.data as { embeds?: APIEmbed[] }).embeds?.[0];
    const shard = discord.dispatches().find((d) => d.t === 'INTERACTION_CREATE' && d.d === slash.payload)?.shard;
    return { text: embed?.description ?? '', shard };
  }

  it('answers each guild from its own shard’s process, and respawns a shard killed with SIGKILL', async () => {
    const { discord, alice, guilds, bot, shards } = await startSharded('2', { shardCount: 2 });
    const [zero, one] = guilds as [FakeGuild, FakeGuild];
    const managerPid = bot.child.pid!;
    const children = descendants(managerPid).map((p) => p.pid);
    expect(shards.map((s) => ({ guilds: s.guilds, shardCount: s.shardCount, child: children.includes(s.pid) }))).toEqual([
      { guilds: 1, shardCount: 2, child: true },
      { guilds: 1, shardCount: 2, child: true },
    ]);
    expect(new Set([managerPid, ...shards.map((s) => s.pid)]).size).toBe(3);
    // The commands are the application's: one registration (by shard 0), served by both.
    expect(discord.requests().filter((r) => r.method === 'PUT' && r.route === `/applications/${discord.applicationId}/commands`)).toHaveLength(1);
    expect((await db.prisma.guild.findMany({ orderBy: { id: 'asc' } })).map((g) => g.id)).toEqual(expect.arrayContaining([zero.id, one.id]));

    expect(await balanceIn(discord, zero, alice)).toEqual({ text: expect.stringContaining(' 100 Coins**') as string, shard: [0, 2] });
    expect(await balanceIn(discord, one, alice)).toEqual({ text: expect.stringContaining(' 200 Coins**') as string, shard: [1, 2] });

    // kill -9 of shard 1: the manager notices and respawns it; shard 0 answers meanwhile.
    const identifiesBefore = discord.handshakes().filter((h) => h.op === 'identify' && h.accepted).length;
    process.kill(shards[1]!.pid, 'SIGKILL');
    const death = await logLine(bot, (l) => l.msg === 'bot shard process exited; respawning it' && l.shard === 1);
    expect(death).toMatchObject({ pid: managerPid, shardPid: shards[1]!.pid, signal: 'SIGKILL' });
    expect(await balanceIn(discord, zero, alice)).toEqual({ text: expect.stringContaining(' 100 Coins**') as string, shard: [0, 2] });
    const respawned = await loggedIn(bot, 1, shards[1]!.pid);
    expect(descendants(managerPid).map((p) => p.pid)).toEqual(expect.arrayContaining([shards[0]!.pid, respawned.pid]));
    expect(discord.handshakes().filter((h) => h.op === 'identify' && h.accepted).slice(identifiesBefore).map((h) => h.shard)).toEqual([[1, 2]]);
    expect(await balanceIn(discord, one, alice)).toEqual({ text: expect.stringContaining(' 200 Coins**') as string, shard: [1, 2] });

    // SIGTERM to the manager stops each shard in order, and nothing is left running.
    const running = descendants(managerPid);
    bot.child.kill('SIGTERM');
    await bot.exited;
    expect(bot.child.exitCode).toBe(0);
    expect(bot.lines.filter((l) => l.msg === 'stopped cleanly').map((l) => l.pid).sort()).toEqual([managerPid, shards[0]!.pid, respawned.pid].sort());
    expect(running.filter(stillRunning)).toEqual([]);
  });

  it('runs as many shards as GET /gateway/bot recommends with DISCORD_SHARD_COUNT=auto', async () => {
    const { discord, alice, guilds, bot, shards } = await startSharded('auto', { recommendedShards: 3, shardCount: 3 });
    expect(await logLine(bot, 'starting bot shards')).toMatchObject({ shards: 3, shardSetting: 'auto' });
    expect(shards.map((s) => s.shardCount)).toEqual([3, 3, 3]);
    const identified = discord.handshakes().filter((h) => h.op === 'identify' && h.accepted).map((h) => String(h.shard));
    expect(identified.sort()).toEqual(['0,3', '1,3', '2,3']);
    expect(await balanceIn(discord, guilds[2]!, alice)).toEqual({ text: expect.stringContaining(' 300 Coins**') as string, shard: [2, 3] });
    bot.child.kill('SIGTERM');
    await bot.exited;
    expect(bot.child.exitCode).toBe(0);
  });
});
