import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { codesForDelivery } from '../../activities/codes/stock';
import { testTemporalAddress } from '../helpers/temporal';
import { waitFor } from '../../lib/wait';
import { newMember, startPaymentsEnv, type PaymentsEnv } from '../payments/helpers';
import { addCodes, balance, fund, packageOf, sinkBalance, startOrder, uniqueCodes } from './helpers';

/**
 * The worker process is killed (SIGKILL) after the codes are reserved and while their delivery is under
 * way; another worker takes over: the order completes once — one DM with the codes, one charge.
 */
describe('order workflow: worker killed between reserving and delivering', () => {
  let env: PaymentsEnv;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    env = await startPaymentsEnv();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await env?.close();
  });

  function startChildWorker(): Promise<ChildProcess> {
    const root = path.resolve(__dirname, '../..');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/orders/worker-child.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GF_CHILD_DATABASE_URL: env.db.url,
        GF_TEST_TEMPORAL_ADDRESS: testTemporalAddress(),
        GF_CHILD_TASK_QUEUE: env.taskQueue,
        GF_CHILD_DISCORD_URL: env.discord.restUrl,
        GF_CHILD_DISCORD_TOKEN: env.discord.token,
        GF_CHILD_CODE_KEY: env.codeKey.toString('base64'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    return new Promise((resolve, reject) => {
      proc.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('worker ready')) resolve(proc);
      });
      proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      proc.once('exit', (code) => reject(new Error(`worker child exited (${code})\n${out}`)));
    });
  }

  it('completes once after the restart: one delivery, one charge, the codes never sold twice', async () => {
    const user = newMember(env, 'crash');
    const pkg = await packageOf(env, 5);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(5, 'crash'));
    const sinkBefore = await sinkBalance(env);
    // The DM channel request hangs: the delivery is in flight when the worker dies, nothing sent yet.
    env.discord.setLatency({ route: /^\/users\/@me\/channels$/, ms: 120_000 });
    child = await startChildWorker();

    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    const orderId = h.workflowId.slice('order:'.length);
    // Codes are marked shown just before the delivery's first attempt: the row is the condition.
    await waitFor(async () => (await env.prisma.code.count({ where: { orderId, status: 'delivered' } })) === 5, { timeoutMs: 30_000, what: 'codes marked shown' });
    await waitFor(() => env.discord.requests().some((r) => r.route === '/users/@me/channels'), { timeoutMs: 10_000, what: 'the DM request in flight' }).catch(() => undefined);

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    env.discord.clearFaults();
    expect(env.discord.dms(user)).toEqual([]);

    await env.startWorker();
    const result = await h.result();
    expect(result).toMatchObject({ status: 'completed', deliveredVia: 'dm' });
    expect(result.deliveryAttempts).toBe(1); // one workflow-level attempt; the activity was retried by Temporal
    const codes = await codesForDelivery(env.prisma, env.keyring, orderId);
    expect(codes).toHaveLength(5);
    const withCodes = env.discord.dms(user).filter((m) => codes.some((c) => JSON.stringify(m.embeds).includes(c)));
    expect(withCodes).toHaveLength(1);
    for (const c of codes) expect(JSON.stringify(withCodes[0]!.embeds)).toContain(c);
    expect(await balance(env, user)).toEqual({ balance: 0n, held: 0n, available: 0n });
    expect((await sinkBalance(env)) - sinkBefore).toBe(pkg.price);
    expect(await env.prisma.code.count({ where: { orderId } })).toBe(5);
    expect(await env.prisma.code.count({ where: { guildId: env.demo.guild.id, status: 'available' } })).toBe(0);
  }, 90_000);
});
