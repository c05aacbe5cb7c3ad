import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../lib/net';
import { waitFor } from '../../lib/wait';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testTemporalAddress } from '../helpers/temporal';

/**
 * `npm run worker`, `npm run api` and `npm run bot` as separate processes, as docker-compose runs them:
 * each needs its settings, comes up against shared PostgreSQL/Temporal/Discord, and stops cleanly.
 */
const root = path.resolve(__dirname, '../..');

function runPart(script: string, env: Record<string, string>) {
  const child = spawn('npm', ['run', '-s', script], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, closed, output: () => output };
}

describe('production entry points', () => {
  let db: TestDatabase;
  let discord: FakeDiscord;
  beforeAll(async () => {
    [db, discord] = await Promise.all([createTestDatabase(), startFakeDiscord()]);
    const owner = discord.createUser({ username: 'owner' });
    discord.createGuild({ name: 'Parts guild', ownerId: owner.id });
  });
  afterAll(async () => {
    await discord?.close();
    await db?.drop();
  });

  it('refuse to start without their settings, naming each one', async () => {
    const api = runPart('api', { LOG_LEVEL: 'error' });
    expect(await api.closed).toBe(1);
    expect(api.output()).toMatch(/DATABASE_URL: required by the API[\s\S]*TEMPORAL_ADDRESS: required by the API/);
    const bot = runPart('bot', { LOG_LEVEL: 'error', DATABASE_URL: db.url, TEMPORAL_ADDRESS: testTemporalAddress() });
    expect(await bot.closed).toBe(1);
    expect(bot.output()).toMatch(/DISCORD_TOKEN: required by the bot/);
  });

  it('run side by side against shared services and stop cleanly on SIGTERM', async () => {
    const apiPort = await freePort();
    const metrics = `127.0.0.1:${await freePort()}`;
    const common = {
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: `parts-${apiPort}`,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
    };
    const parts = [
      runPart('worker', { ...common, TEMPORAL_METRICS_ADDRESS: metrics }),
      runPart('api', { ...common, HOST: '127.0.0.1', PORT: String(apiPort) }),
      runPart('bot', common),
    ];
    try {
      const dump = () => parts.map((p) => p.output()).join('\n---\n');
      const opts = { timeoutMs: 60_000, intervalMs: 200 };
      await waitFor(async () => (await fetch(`http://127.0.0.1:${apiPort}/ready`)).ok, { ...opts, what: 'the API to be ready' }).catch((e: Error) => {
        throw new Error(`${e.message}\n${dump()}`);
      });
      await waitFor(async () => (await (await fetch(`http://${metrics}/metrics`)).text()).includes('temporal_'), { ...opts, what: 'the worker metrics' });
      await waitFor(() => discord.connectedSessions() === 1 && parts[2]!.output().includes('bot logged in'), { ...opts, what: 'the bot to log in' });
      await waitFor(() => db.prisma.guild.count().then((n) => n === 1), { ...opts, what: 'the bot to record its guild' });
    } finally {
      for (const p of parts) p.child.kill('SIGTERM');
    }
    for (const p of parts) {
      expect({ code: await p.closed, output: p.output().includes('"msg":"stopped cleanly"') }).toEqual({ code: 0, output: true });
    }
  });
});
