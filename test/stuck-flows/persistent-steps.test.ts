import { ActivityFailure, ApplicationFailure, CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { stuckQuery, retryNowSignal, type StuckStep } from '../../lib/flows/flow';
import { FlowStuck } from '../../lib/search-attributes';
import { waitFor } from '../../lib/wait';
import { startStuckFlowEnv, STUCK_NOTICE, THROUGH_NOTICE, type StuckFlowEnv } from './helpers';
import { STUCK_FLOW_REFUSAL, STUCK_FLOW_STEP } from './workflows/stuck-flow';

/**
 * workflows/persistent-steps.ts on a real Temporal server: a step that keeps failing marks its flow
 * stuck (query, search attribute, one admin log notice), retries in rounds (or at once on retryNow),
 * and clears the mark when it goes through; refusals and cancellation are the flow's to handle.
 */
let env: StuckFlowEnv;

beforeAll(async () => {
  env = await startStuckFlowEnv();
});

afterAll(async () => {
  await env?.close();
});

const stuckOf = (handle: WorkflowHandle) => handle.query(stuckQuery);
const flowStuckAttribute = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(FlowStuck);

/** Waits until the flow says it is stuck with at least `rounds` rounds failed. */
function untilRounds(handle: WorkflowHandle, rounds: number, timeoutMs = 20_000): Promise<StuckStep> {
  return waitFor(
    async () => {
      const stuck = await stuckOf(handle);
      return stuck && stuck.rounds >= rounds ? stuck : null;
    },
    { timeoutMs, what: `the flow stuck for ${rounds} rounds` },
  );
}

function untilNotice(workflowId: string, title: string) {
  return env.discord.waitFor(() => env.notices(workflowId, title)[0], 15_000, `the admin log notice "${title}" about ${workflowId}`);
}

it('marks a failing step stuck once, keeps retrying in rounds, and clears the mark when the step goes through', async () => {
  const { key, handle } = await env.start({ stuckAfterSeconds: 2, retryEverySeconds: 1 });
  const startedAt = Date.now();

  const notice = await untilNotice(handle.workflowId, STUCK_NOTICE);
  expect(notice.embeds[0]?.description).toContain(`Test flow ${key}`);
  expect(notice.embeds[0]?.description).toContain(`**${STUCK_FLOW_STEP}**`);
  expect(notice.embeds[0]?.description).toContain(`test outage for ${key}`);
  // The admin's way out, as api/routes/flows.ts serves it.
  expect(notice.embeds[0]?.description).toContain(`POST /api/guilds/${env.demo.guild.id}/flows/${handle.workflowId}/retry`);

  const stuck = await stuckOf(handle);
  expect(stuck).toEqual({ step: STUCK_FLOW_STEP, since: expect.any(String), failure: `test outage for ${key}`, rounds: expect.any(Number) });
  expect(Math.abs(Date.parse(stuck!.since) - startedAt)).toBeLessThan(5_000);
  expect(await flowStuckAttribute(handle)).toBe(STUCK_FLOW_STEP);

  // Further rounds fail too: still one notice, the rounds counted.
  await untilRounds(handle, 3);
  expect(env.notices(handle.workflowId, STUCK_NOTICE)).toHaveLength(1);

  const attemptsWhileStuck = env.switches.attempts(key);
  env.switches.set(key, 'succeed');
  expect(await handle.result()).toBe(`done:${key}`);
  expect(env.switches.attempts(key)).toBeGreaterThan(attemptsWhileStuck);

  const through = await untilNotice(handle.workflowId, THROUGH_NOTICE);
  expect(through.embeds[0]?.description).toContain(`**${STUCK_FLOW_STEP}** succeeded`);
  expect(await flowStuckAttribute(handle)).toBeUndefined();
  expect(await stuckOf(handle)).toBeNull();
  expect(env.notices(handle.workflowId, STUCK_NOTICE)).toHaveLength(1);
  expect(env.notices(handle.workflowId, THROUGH_NOTICE)).toHaveLength(1);
});

it('starts the next round at once on retryNow, not after retryEverySeconds', async () => {
  // An hour between rounds: only the signal can explain another attempt within the test.
  const { key, handle } = await env.start({ stuckAfterSeconds: 2, retryEverySeconds: 3600 });
  await untilNotice(handle.workflowId, STUCK_NOTICE);
  const first = await untilRounds(handle, 1);
  expect(first.rounds).toBe(1);
  const attemptsInFirstRound = env.switches.attempts(key);
  expect(attemptsInFirstRound).toBeGreaterThanOrEqual(1);

  await handle.signal(retryNowSignal);
  await waitFor(() => env.switches.attempts(key) > attemptsInFirstRound, { timeoutMs: 10_000, what: 'an attempt of the second round' });
  expect((await untilRounds(handle, 2)).rounds).toBe(2);
  expect(env.notices(handle.workflowId, STUCK_NOTICE)).toHaveLength(1);

  env.switches.set(key, 'succeed');
  await handle.signal(retryNowSignal);
  expect(await handle.result()).toBe(`done:${key}`);
  expect(await flowStuckAttribute(handle)).toBeUndefined();
  await untilNotice(handle.workflowId, THROUGH_NOTICE);
});

it.each([
  ['the flow’s listed refusal type', 'refuse', STUCK_FLOW_REFUSAL],
  ['a non-retryable failure', 'refuse-hard', 'SomethingElse'],
] as const)('throws %s to the flow at once, without marking it stuck', async (_, mode, type) => {
  const { key, handle } = await env.start({ stuckAfterSeconds: 2, retryEverySeconds: 1 }, { mode });
  const failure = await handle.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  expect((cause as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
  expect(((cause as ActivityFailure).cause as ApplicationFailure).type).toBe(type);

  expect(env.switches.attempts(key)).toBe(1);
  expect(await flowStuckAttribute(handle)).toBeUndefined();
  expect(await stuckOf(handle)).toBeNull();
  // The flow has ended: no notice can come later.
  expect(env.notices(handle.workflowId)).toEqual([]);
});

it('clears the stuck mark when a stuck step is refused in a later round', async () => {
  const { key, handle } = await env.start({ stuckAfterSeconds: 2, retryEverySeconds: 3600 });
  await untilNotice(handle.workflowId, STUCK_NOTICE);
  env.switches.set(key, 'refuse');
  await handle.signal(retryNowSignal);

  const failure = await handle.result().catch((err: unknown) => err);
  expect(((failure as WorkflowFailedError).cause as ActivityFailure).cause).toMatchObject({ type: STUCK_FLOW_REFUSAL });
  expect(await flowStuckAttribute(handle)).toBeUndefined();
  expect(await stuckOf(handle)).toBeNull();
  expect(env.notices(handle.workflowId, THROUGH_NOTICE)).toEqual([]);
});

it('ends a stuck flow that is cancelled: its compensation runs and the stuck mark is cleared', async () => {
  const { key, handle } = await env.start({ stuckAfterSeconds: 2, retryEverySeconds: 3600 });
  await untilNotice(handle.workflowId, STUCK_NOTICE);
  const attempts = env.switches.attempts(key);

  await handle.cancel();
  const failure = await handle.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  const described = await handle.describe();
  expect(described.status.name).toBe('CANCELLED');
  expect(described.typedSearchAttributes.get(FlowStuck)).toBeUndefined();
  expect(env.switches.undone(key)).toBe(1);
  expect(env.switches.attempts(key)).toBe(attempts);
  // A cancelled step did not go through: the compensation's success is not reported as if it had.
  expect(env.notices(handle.workflowId, THROUGH_NOTICE)).toEqual([]);
});
