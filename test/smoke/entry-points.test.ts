import { randomBytes } from 'node:crypto';
import { freePort } from '../../lib/net';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { logLine, startEntry, type RunningEntry } from '../helpers/entry-point';
import { testTemporalAddress } from '../helpers/temporal';

/** The `features` each component of a process reported when it started, by its log message. */
async function featuresReported(run: RunningEntry, messages: string[]): Promise<Record<string, unknown>> {
  const found = await Promise.all(messages.map((m) => logLine(run, m)));
  return Object.fromEntries(messages.map((m, i) => [m, found[i]!.features]));
}

describe('every production entry point runs with the same features for the same settings', () => {
  let db: TestDatabase;
  let discord: FakeDiscord;
  const running: RunningEntry[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await discord?.close();
    await db?.drop();
  });

  it('npm run worker, api and bot report what npm start reports: payments and the code shop on', async () => {
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: `entry-points-${randomBytes(4).toString('hex')}`,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
      MIDTRANS_SERVER_KEY: 'SB-Mid-server-entry-points',
      CODE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    const withPorts = async () => ({ ...base, PORT: String(await freePort()), HOST: '127.0.0.1', TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` });
    const worker = startEntry('workers/main.ts', await withPorts());
    const api = startEntry('api/main.ts', await withPorts());
    const bot = startEntry('bot/main.ts', await withPorts());
    const all = startEntry('scripts/start.ts', await withPorts());
    running.push(worker, api, bot, all);

    const on = { payments: true, codeShop: true };
    const [w, a, b, s] = await Promise.all([
      featuresReported(worker, ['worker polling']),
      featuresReported(api, ['API listening']),
      featuresReported(bot, ['bot logged in']),
      featuresReported(all, ['worker polling', 'bot logged in', 'API listening']),
    ]);
    // The worker also runs the card escrow and mail (off here: no Stripe or SMTP settings).
    expect(s).toEqual({ 'worker polling': { ...on, cardEscrow: false, mail: 'off' }, 'bot logged in': on, 'API listening': on });
    expect({ ...w, ...a, ...b }).toEqual(s);
  });
});
