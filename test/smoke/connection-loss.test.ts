import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../lib/net';
import { waitFor } from '../../lib/wait';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { logLine, startEntry, type RunningEntry } from '../helpers/entry-point';
import { testTemporalAddress } from '../helpers/temporal';

/**
 * The server ends a connection a process has checked out, mid-query (`pg_terminate_backend`, as a
 * database restart or a network reset would): the worker, the API and the bot each fail only that work,
 * log it, and go on with a new connection. Each production entry point runs as its own process; the
 * test makes one of its queries wait on a table lock, so the connection is checked out when it is ended.
 */
describe('a checked-out database connection ended by the server, in each process kind', () => {
  let db: TestDatabase;
  let discord: FakeDiscord;
  let demo: DemoGuild;
  let admin: pg.Client;
  let temporal: Client;
  let connection: Connection;
  const running: RunningEntry[] = [];
  const taskQueue = `connection-loss-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    discord = await startFakeDiscord();
    demo = seedDemoGuild(discord);
    await db.prisma.guild.create({ data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: {} } } });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    connection = await Connection.connect({ address: testTemporalAddress() });
    temporal = new Client({ connection });
  });
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await admin?.end();
    await connection?.close();
    await discord?.close();
    await db?.drop();
  });

  /** Its database connections carry the process kind, so the test can find them. */
  async function start(file: string, kind: string, ready: string): Promise<RunningEntry> {
    const url = new URL(db.url);
    url.searchParams.set('application_name', kind);
    const run = startEntry(file, {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    running.push(run);
    await logLine(run, ready);
    return run;
  }

  /**
   * Holds `tables` locked while `work` makes the process query one of them, ends the process's waiting
   * connection from the server side, then lets the tables go. Resolves with what `work` answered.
   */
  async function endCheckedOutConnection<T>(run: RunningEntry, kind: string, tables: string[], work: () => Promise<T>): Promise<T> {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const answer = work();
      answer.catch(() => undefined);
      const pid = await waitFor(
        async () => {
          const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [kind]);
          return rows[0]?.pid;
        },
        { timeoutMs: 30_000, what: `a ${kind} query waiting on the lock` },
      );
      const { rows } = await admin.query<{ ended: boolean }>('SELECT pg_terminate_backend($1) AS ended', [pid]);
      expect(rows[0]?.ended).toBe(true);
      await locker.query('ROLLBACK');
      // The connection's end reached the process with (or before) its query's failure.
      return await answer;
    } finally {
      await locker.end();
    }
  }

  /** Ends the process's idle pooled connections too: each one's end reaches the process as an 'error' event. */
  async function endIdleConnections(kind: string): Promise<void> {
    const { rows } = await admin.query<{ ended: boolean }>("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'", [kind]);
    expect(rows.length).toBeGreaterThan(0);
    // Gone from the server's view: the process has been sent every end.
    await waitFor(async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'", [kind])).rowCount === 0 || undefined, {
      timeoutMs: 10_000,
      what: `${kind}'s idle connections ended`,
    });
  }

  const alive = (run: RunningEntry) => run.child.exitCode === null && run.child.signalCode === null;

  it('the API answers that request with an error, lives, and answers the next', async () => {
    const api = await start('api/main.ts', 'gf-api', 'API listening');
    const base = String((await logLine(api, 'API listening')).url).replace(/\/$/, '');
    // Authentication reads the token table first: that query waits on the lock.
    const status = await endCheckedOutConnection(api, 'gf-api', ['api_tokens'], async () =>
      (await fetch(`${base}/api/guilds/${demo.guild.id}/ledger/assets`, { headers: { authorization: `Bearer gf_${'a1'.repeat(6)}_${'x'.repeat(43)}` } })).status,
    );
    expect(status).toBeGreaterThanOrEqual(500);
    expect(alive(api)).toBe(true);
    await endIdleConnections('gf-api');
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(alive(api)).toBe(true);
  });

  it('the worker fails that attempt, lives, and the retry goes through', async () => {
    const worker = await start('workers/main.ts', 'gf-worker', 'worker polling');
    // A purchase of an item that does not exist: its first step reads the purchases table.
    const purchaseId = `9${Date.now()}`;
    const handle = await endCheckedOutConnection(worker, 'gf-worker', ['shop_purchases'], () =>
      temporal.workflow.start('purchase', {
        taskQueue,
        workflowId: `purchase:${purchaseId}`,
        args: [{ purchaseId, requestKey: `loss:${purchaseId}`, guildId: demo.guild.id, userId: demo.member.id, itemId: 999_999, quantity: 1, memberRoleIds: [], reply: null }],
      }),
    );
    expect(alive(worker)).toBe(true);
    // The attempt that lost its connection was retried on a new one: the refusal, and the member told it.
    expect(await handle.result()).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/item/i) });
    await discord.waitFor(() => discord.dms(demo.member.id).find((m) => m.embeds[0]?.title === 'Purchase not made'), 15_000, 'the refusal DM');
    await endIdleConnections('gf-worker');
    const next = await temporal.workflow.execute('purchase', {
      taskQueue,
      workflowId: `purchase:${purchaseId}1`,
      args: [{ purchaseId: `${purchaseId}1`, requestKey: `loss:${purchaseId}1`, guildId: demo.guild.id, userId: demo.member.id, itemId: 999_999, quantity: 1, memberRoleIds: [], reply: null }],
    });
    expect(next).toMatchObject({ status: 'failed' });
    expect(alive(worker)).toBe(true);
  });

  it('the bot answers that interaction with an error, lives, and answers the next', async () => {
    const bot = await start('bot/main.ts', 'gf-bot', 'bot logged in');
    const first = await endCheckedOutConnection(bot, 'gf-bot', ['ledger_accounts', 'ledger_assets', 'guild_settings'], async () => {
      const h = discord.slash(demo.guild.id, demo.member.id, 'balance');
      return h.waitForResponse();
    });
    expect(first).toBeDefined();
    expect(alive(bot)).toBe(true);
    // The pool may have held only the ended connection: an answered interaction leaves one idle, which is ended too.
    const between = await discord.slash(demo.guild.id, demo.member.id, 'balance').waitForResponse();
    expect(JSON.stringify(between.data)).toMatch(/balance|Coins|0/i);
    await endIdleConnections('gf-bot');
    const again = await discord.slash(demo.guild.id, demo.member.id, 'balance').waitForResponse();
    expect(JSON.stringify(again.data)).toMatch(/balance|Coins|0/i);
    expect(alive(bot)).toBe(true);
  });
});
