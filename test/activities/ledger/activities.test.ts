import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLedgerActivities, systemAccount, userAccount } from '../../../activities/ledger';
import { createActivities } from '../../../activities';
import { createLogger } from '../../../lib/logger';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, snowflake } from '../../helpers/ledger';

let db: TestDatabase;
let acts: ReturnType<typeof createLedgerActivities>;
const log = createLogger({ level: 'silent' });
const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'purchase:42', runId: 'r' } });
/** Runs an activity as the worker would, inside an activity context (typed by the activity itself). */
const inActivity = <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => env.run(fn, input);

beforeAll(async () => {
  db = await createTestDatabase();
  acts = createLedgerActivities({ prisma: db.prisma, log });
});
afterAll(async () => {
  await db.drop();
});

const alice = snowflake();
const bob = snowflake();
const actor = { type: 'system', id: 'purchase' } as const;

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

it('are registered with the worker, and built without touching the database', async () => {
  const prisma = createPrismaClient('postgres://nobody@127.0.0.1:1/none');
  const all = createActivities({ prisma, log });
  expect(Object.keys(all)).toEqual(
    expect.arrayContaining(['ledgerRecord', 'ledgerTransfer', 'ledgerHold', 'ledgerPostHold', 'ledgerVoidHold', 'ledgerBalance']),
  );
  await prisma.$disconnect();
});

it('move money with string amounts, return JSON-safe receipts and keep the workflow id with the entry', async () => {
  const guildId = await createGuild(db.prisma);
  const funded = await inActivity(acts.ledgerTransfer, {
    guildId,
    key: `purchase:42:fund`,
    type: 'daily',
    actor,
    asset: 'currency',
    from: systemAccount('issuance'),
    to: userAccount(alice),
    amount: '100',
  });
  expect(JSON.parse(JSON.stringify(funded))).toEqual(funded);
  expect(funded).toMatchObject({ replayed: false, entry: { status: 'posted', refs: { workflowId: 'purchase:42' }, postings: [{ amount: '-100' }, { amount: '100', balanceAfter: '100' }] } });
  expect(typeof funded.entry.id).toBe('string');
  expect(typeof funded.entry.createdAt).toBe('string');

  const held = await inActivity(acts.ledgerHold, { guildId, key: 'purchase:42:hold', type: 'purchase', actor, asset: 'currency', from: userAccount(alice), to: systemAccount('sink'), amount: '60' });
  expect(held.entry.hold).toEqual({ from: userAccount(alice), to: systemAccount('sink'), asset: 'currency', amount: '60', postedAmount: null });
  expect(await inActivity(acts.ledgerBalance, { guildId, account: userAccount(alice), asset: 'currency' })).toEqual({ balance: '100', held: '60', available: '40' });

  const posted = await inActivity(acts.ledgerPostHold, { key: 'purchase:42:hold', amount: '45' });
  expect(posted.entry.hold?.postedAmount).toBe('45');
  expect((await inActivity(acts.ledgerPostHold, { key: 'purchase:42:hold' })).replayed).toBe(true);

  const record = await acts.ledgerRecord({
    guildId,
    key: 'purchase:42:refund',
    type: 'refund',
    actor,
    refs: { workflowId: 'explicit' },
    postings: [
      { account: systemAccount('sink'), asset: 'currency', amount: '-5' },
      { account: userAccount(alice), asset: 'currency', amount: '5' },
    ],
  });
  expect(record.entry.refs).toEqual({ workflowId: 'explicit' });
  expect(await acts.ledgerBalance({ guildId, account: userAccount(alice), asset: 'currency' })).toEqual({ balance: '60', held: '0', available: '60' });
});

it('turn business refusals into non-retryable failures with stable types and details', async () => {
  const guildId = await createGuild(db.prisma);
  const give = (amount: string, key = `give:${snowflake()}`) =>
    acts.ledgerTransfer({ guildId, key, type: 'give', actor, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount });

  const poor = await failureOf(give('1'));
  expect(poor).toMatchObject({ type: 'InsufficientFunds', nonRetryable: true });
  expect(poor.details?.[0]).toMatchObject({ available: '0', requested: '1', account: userAccount(alice) });

  await acts.ledgerTransfer({ guildId, key: `f:${guildId}`, type: 'daily', actor, asset: 'currency', from: systemAccount('issuance'), to: userAccount(alice), amount: '10' });
  await give('3', `give:${guildId}:k`);
  expect(await failureOf(give('4', `give:${guildId}:k`))).toMatchObject({ type: 'IdempotencyConflict', nonRetryable: true });
  expect(await failureOf(give('1.5'))).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  expect(await failureOf(give('0'))).toMatchObject({ type: 'InvalidInput' });
  expect(
    await failureOf(acts.ledgerTransfer({ guildId, key: `x:${guildId}`, type: 'give', actor, asset: 'stars', from: userAccount(alice), to: userAccount(bob), amount: '1' })),
  ).toMatchObject({ type: 'UnknownAsset' });
  expect(await failureOf(acts.ledgerVoidHold({ key: `nothing:${guildId}` }))).toMatchObject({ type: 'EntryNotFound' });
  await acts.ledgerHold({ guildId, key: `h:${guildId}`, type: 'purchase', actor, asset: 'currency', from: userAccount(alice), to: systemAccount('sink'), amount: '2' });
  await acts.ledgerPostHold({ key: `h:${guildId}` });
  expect(await failureOf(acts.ledgerVoidHold({ key: `h:${guildId}` }))).toMatchObject({ type: 'HoldNotPending', nonRetryable: true });
  expect(await failureOf(acts.ledgerBalance({ guildId: snowflake(), account: userAccount(alice), asset: 'nope' }))).toMatchObject({ type: 'UnknownAsset' });
});

it('let infrastructure errors through as they are, for Temporal to retry', async () => {
  const prisma: PrismaClient = createPrismaClient('postgres://postgres@127.0.0.1:1/nowhere', { poolSize: 1 });
  try {
    const offline = createLedgerActivities({ prisma, log });
    const err = await offline
      .ledgerTransfer({ guildId: '100000000000000001', key: 'k', type: 'give', actor, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: '1' })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  } finally {
    await prisma.$disconnect();
  }
});
