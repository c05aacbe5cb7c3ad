import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import { createLogger } from '../../lib/logger';
import { expectWentThrough, lostAttempts, outage, SHORT_PATIENCE, waitUntilStuck, type Outage } from '../helpers/stuck-flows';
import { bundleWorkflows } from '../helpers/temporal';
import { ESCROW_OWNER, member, newId, startTradeEnv, waitFor, type TradeEnv } from './helpers';
import { depositId, withdrawStatusQuery } from '../../lib/flows/trades';
import { domainMismatches } from '../../activities/ledger/consistency';
import { poolOf } from '../../prisma/transactions';

/**
 * Infrastructure failures in the middle of the trade flows (the database away, an answer lost after the
 * change was made), forced by wrapping the real activities: the flows retry and nothing is lost or counted
 * twice.
 */
let env: TradeEnv;
let worker: Worker;
let running: Promise<void>;
const faults = { settleFailures: 0, depositLostAnswers: 0, depositFailures: 0, escrowFailures: 0 };
const calls = { settle: 0, deposit: 0, escrow: 0 };
/** The gem hold of this withdrawal loses its answers (after committing) until released. */
let stuckHoldKey: string | null = null;
let holdDown!: Outage<Parameters<Activities['ledgerHold']>, Awaited<ReturnType<Activities['ledgerHold']>>>;

beforeAll(async () => {
  env = await startTradeEnv();
  const real = createActivities({ prisma: env.prisma, log: createLogger({ level: 'silent', pretty: false }), discord: env.rest });
  worker = await Worker.create({
    connection: env.temporal.nativeConnection,
    namespace: env.temporal.namespace,
    taskQueue: env.taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('../../workflows')),
    activities: {
      ...real,
      ledgerHold: (holdDown = outage(real.ledgerHold, { applies: (input) => input.key === stuckHoldKey, lostReply: true })).activity,
      async tradeSettlePets(input: Parameters<typeof real.tradeSettlePets>[0]) {
        calls.settle += 1;
        if (faults.settleFailures > 0) {
          faults.settleFailures -= 1;
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (forced)');
        }
        return real.tradeSettlePets(input);
      },
      async tradeSettleDeposit(input: Parameters<typeof real.tradeSettleDeposit>[0]) {
        calls.deposit += 1;
        if (faults.depositFailures > 0) {
          faults.depositFailures -= 1;
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (forced)');
        }
        const check = await real.tradeSettleDeposit(input);
        if (faults.depositLostAnswers > 0) {
          faults.depositLostAnswers -= 1;
          throw new Error('the answer was lost after the credit (forced)');
        }
        return check;
      },
      async tradeEscrowPets(input: Parameters<typeof real.tradeEscrowPets>[0]) {
        calls.escrow += 1;
        if (faults.escrowFailures > 0) {
          faults.escrowFailures -= 1;
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (forced)');
        }
        return real.tradeEscrowPets(input);
      },
    },
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.close();
});

it('a deposit whose credit is retried after it was applied is credited once', async () => {
  const user = member(env, 'lost-answer');
  const robloxId = await env.link(user);
  const sp = await env.species(`lost${newId()}`);
  faults.depositLostAnswers = 2;
  const before = calls.deposit;
  const res = await env.client().request('POST', '/roblox/v1/deposits', { tradeId: `c-${newId()}`, robloxUserId: String(robloxId), gems: 70, pets: [{ species: sp.key, quantity: 2 }] });
  expect(res.status).toBe(200);
  expect(calls.deposit - before).toBe(3);
  expect(await env.gems(user)).toEqual({ balance: 70n, held: 0n, available: 70n });
  expect(await env.pets(user, sp.id)).toBe(2);
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
});

it('a deposit whose database stays away longer than a workflow task may take is credited once it is back; the game asking again gets the answer', async () => {
  const user = member(env, 'db-away');
  const robloxId = await env.link(user);
  // Retries after 1, 2, 4 and 8 s: the fifth attempt comes 15 s in, past the 10 s workflow task timeout.
  faults.depositFailures = 4;
  const before = calls.deposit;
  const tradeId = `a-${newId()}`;
  const report = { tradeId, robloxUserId: String(robloxId), gems: 30 };
  // The game gives up waiting (its client's 15 s) or gets the answer: either way it reports again later.
  const first = env.client().request('POST', '/roblox/v1/deposits', report).catch(() => null);
  const id = depositId(env.game.id, tradeId);
  await waitFor(() => env.prisma.gameDeposit.findUnique({ where: { id } }), (row) => row?.status === 'credited', 60_000);
  await first;
  const again = await env.client().request('POST', '/roblox/v1/deposits', report);
  expect([again.status, again.json]).toMatchObject([200, { status: 'credited' }]);
  expect(calls.deposit - before).toBe(5);
  expect(await env.gems(user)).toEqual({ balance: 30n, held: 0n, available: 30n });
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
}, 90_000);

it('settling a cancelled withdrawal while the database is away is retried until it works: everything back once', async () => {
  const user = member(env, 'settle-outage');
  await env.link(user);
  const sp = await env.species(`outage${newId()}`);
  await env.giveGems(user, 90n);
  await env.givePets(user, sp.id, 2, 'rainbow');
  faults.settleFailures = 2;
  const before = calls.settle;
  const handle = await env.startWithdraw({ userId: user, gems: '90', pets: [{ speciesId: sp.id, variant: 'rainbow', quantity: 2 }], timeoutSeconds: 1 });
  expect((await handle.result()).status).toBe('expired');
  expect(calls.settle - before).toBe(3);
  expect(await env.gems(user)).toEqual({ balance: 90n, held: 0n, available: 90n });
  expect(await env.pets(user, sp.id, 'rainbow')).toBe(2);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'rainbow')).toBe(0);
});

it('escrowing pets while the database is away is retried; the gem hold is not doubled and the flow waits normally', async () => {
  const user = member(env, 'escrow-outage');
  await env.link(user);
  const sp = await env.species(`escrow${newId()}`);
  await env.giveGems(user, 40n);
  await env.givePets(user, sp.id, 1);
  faults.escrowFailures = 2;
  const handle = await env.startWithdraw({ userId: user, gems: '40', pets: [{ speciesId: sp.id, variant: 'normal', quantity: 1 }], timeoutSeconds: 30 });
  await waitFor(() => env.pets(ESCROW_OWNER, sp.id), (n) => n > 0, 20_000);
  expect(await env.gems(user)).toEqual({ balance: 40n, held: 40n, available: 0n });
  expect(await env.pets(ESCROW_OWNER, sp.id)).toBe(1);
  // The game's confirmation is an update the flow accepts only once it waits for the game.
  await waitFor(() => handle.query(withdrawStatusQuery).catch(() => null), (s) => s?.status === 'waiting', 20_000);
  const id = handle.workflowId.slice('withdraw:'.length);
  expect((await env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 40, pets: [{ species: sp.key, quantity: 1 }] } })).json).toEqual({ withdrawalId: id, outcome: 'delivered' });
  expect((await handle.result()).status).toBe('delivered');
  expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
  expect(await env.pets(user, sp.id)).toBe(0);
  expect(await env.pets(ESCROW_OWNER, sp.id)).toBe(0);
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
});

it('the gem hold stuck longer than the patience (its answers lost after it committed): stuck and told, then escrowed, delivered in part and settled once', async () => {
  const user = member(env, 'hold-stuck');
  await env.link(user);
  const sp = await env.species(`stuck${newId()}`);
  await env.giveGems(user, 60n);
  await env.givePets(user, sp.id, 1);
  const withdrawalId = newId();
  stuckHoldKey = `withdraw:${withdrawalId}:gems`;
  const handle = await env.startWithdraw({ withdrawalId, userId: user, gems: '60', pets: [{ speciesId: sp.id, variant: 'normal', quantity: 1 }], timeoutSeconds: 60, patience: SHORT_PATIENCE });
  const adminLog = { discord: env.discord, channelId: env.demo.channels.adminLog.id };
  const stuck = await waitUntilStuck(handle, 'hold the gems', adminLog);
  expect(stuck.failure).toContain('ECONNREFUSED');
  expect((await handle.query(withdrawStatusQuery)).status).toBe('escrowing');
  // Every attempt committed and lost its answer: held once, the pets not escrowed yet.
  await lostAttempts(holdDown);
  expect(holdDown.failures).toBeGreaterThanOrEqual(2);
  await waitFor(() => env.gems(user), (g) => g.held > 0n);
  expect(await env.gems(user)).toEqual({ balance: 60n, held: 60n, available: 0n });
  expect(await env.pets(user, sp.id)).toBe(1);
  expect(await env.prisma.withdrawal.findUnique({ where: { id: withdrawalId } })).toBeNull();

  holdDown.release();
  await waitFor(() => env.pets(ESCROW_OWNER, sp.id), (n) => n > 0, 20_000);
  expect(await env.pets(ESCROW_OWNER, sp.id)).toBe(1);
  // The game's confirmation is an update the flow accepts only once it waits for the game.
  await waitFor(() => handle.query(withdrawStatusQuery).catch(() => null), (s) => s?.status === 'waiting', 20_000);
  const confirm = await env.client().request('POST', `/roblox/v1/withdrawals/${withdrawalId}/confirm`, { delivered: { gems: 25, pets: [{ species: sp.key, quantity: 1 }] } });
  expect(confirm.json).toEqual({ withdrawalId, outcome: 'partial' });
  expect(await handle.result()).toMatchObject({ status: 'partial', outcome: 'partial' });
  await expectWentThrough(handle, adminLog);
  expect(await env.gems(user)).toEqual({ balance: 35n, held: 0n, available: 35n });
  expect(await env.pets(user, sp.id)).toBe(0);
  expect(await env.pets(ESCROW_OWNER, sp.id)).toBe(0);
  expect(await env.ledger.entry(stuckHoldKey)).toMatchObject({ status: 'posted' });
  // The hold (posted in part) and the burn of what was delivered, nothing more.
  expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `withdraw:${withdrawalId}:gems` } } })).toBe(2);
  expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id: withdrawalId } })).toMatchObject({ status: 'partial', deliveredGems: 25n });
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
});

it('cancelling a withdrawal stuck at the escrow (an admin) releases the hold and records it refused: nothing held, nothing moved', async () => {
  const user = member(env, 'escrow-cancel');
  await env.link(user);
  const sp = await env.species(`cancel${newId()}`);
  await env.giveGems(user, 45n);
  await env.givePets(user, sp.id, 1);
  faults.escrowFailures = Number.MAX_SAFE_INTEGER;
  try {
    const handle = await env.startWithdraw({ userId: user, gems: '45', pets: [{ speciesId: sp.id, variant: 'normal', quantity: 1 }], timeoutSeconds: 60, patience: SHORT_PATIENCE });
    await waitUntilStuck(handle, 'escrow the pets', { discord: env.discord, channelId: env.demo.channels.adminLog.id });
    expect(await env.gems(user)).toEqual({ balance: 45n, held: 45n, available: 0n });
    await handle.cancel();
    expect(await handle.result()).toMatchObject({ status: 'refused', outcome: 'refused', reason: 'The withdrawal was cancelled by an admin.' });
    const id = handle.workflowId.slice('withdraw:'.length);
    expect(await env.ledger.entry(`withdraw:${id}:gems`)).toMatchObject({ status: 'voided' });
    expect(await env.gems(user)).toEqual({ balance: 45n, held: 0n, available: 45n });
    expect(await env.pets(user, sp.id)).toBe(1);
    expect(await env.pets(ESCROW_OWNER, sp.id)).toBe(0);
    expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'refused' });
  } finally {
    faults.escrowFailures = 0;
  }
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
});
