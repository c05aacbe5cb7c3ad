import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { stuckQuery, type Patience, type StuckStep } from '../../lib/flows/flow';
import { FlowStuck } from '../../lib/search-attributes';
import { waitFor } from '../../lib/wait';
import type { FakeDiscord, MessageRecord } from '../fakes/discord';

/**
 * A money step's database away for longer than a flow's patience, and what people see meanwhile: the
 * flow's `stuck` query, the FlowStuck search attribute and the admin log (through the fake Discord).
 */

/** Seconds, so a test sees a flow go stuck and come back quickly. */
export const SHORT_PATIENCE: Patience = { stuckAfterSeconds: 2, retryEverySeconds: 1 };

export interface Outage<A extends unknown[], R> {
  /** The activity to register in the test worker in place of the real one. */
  activity: (...args: A) => Promise<R>;
  /** Attempts that failed (for the flows the outage applies to). */
  readonly failures: number;
  /** The database is back: the next attempt goes through. */
  release(): void;
}

/**
 * Wraps a real activity so that, until `release()`, every attempt for which `applies(args)` holds fails
 * with a plain (retryable) Error, as a connection refused would. `lostReply`: the real activity runs (and
 * commits) first, and only its answer is lost — so every retry applies it again, which must change nothing.
 */
export function outage<A extends unknown[], R>(real: (...args: A) => Promise<R>, opts: { applies: (...args: A) => boolean; lostReply?: boolean }): Outage<A, R> {
  let down = true;
  let failures = 0;
  return {
    async activity(...args: A): Promise<R> {
      if (!down || !opts.applies(...args)) return real(...args);
      if (opts.lostReply) await real(...args);
      failures += 1;
      throw new Error(`connect ECONNREFUSED 127.0.0.1:5432 (the database is away, forced by the test${opts.lostReply ? ' after the change was committed' : ''})`);
    },
    get failures() {
      return failures;
    },
    release() {
      down = false;
    },
  };
}

/**
 * Waits until the outage has failed `count` attempts: a flow can be marked stuck after its first round
 * holds a single slow attempt (a busy machine), while the retries that prove idempotence come later.
 */
export async function lostAttempts(down: { readonly failures: number }, count = 2): Promise<void> {
  await waitFor(() => down.failures >= count || undefined, { timeoutMs: 30_000, intervalMs: 50, what: `${count} failed attempts` });
}

const adminNotices = (discord: FakeDiscord, channelId: string, workflowId: string, title: string): MessageRecord[] =>
  discord.messages(channelId).filter((m) => m.embeds[0]?.title === title && m.embeds[0]?.footer?.text?.endsWith(workflowId));

const flowStuckAttribute = async (handle: WorkflowHandle): Promise<string | undefined> => (await handle.describe()).typedSearchAttributes.get(FlowStuck);

/** Waits until the flow says it is stuck at `step` — query, search attribute and one admin-log notice — and returns the query's answer. */
export async function waitUntilStuck(handle: WorkflowHandle, step: string, adminLog: { discord: FakeDiscord; channelId: string }): Promise<StuckStep> {
  const stuck = await waitFor(
    async () => {
      const s = await handle.query(stuckQuery);
      return s?.step === step ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `${handle.workflowId} to be stuck at "${step}"` },
  );
  await waitFor(async () => (await flowStuckAttribute(handle)) === step, { timeoutMs: 15_000, intervalMs: 200, what: `FlowStuck=${step} on ${handle.workflowId}` });
  const [notice] = await waitFor(() => {
    const found = adminNotices(adminLog.discord, adminLog.channelId, handle.workflowId, '⚠️ A flow is stuck');
    return found.length > 0 ? found : undefined;
  }, { timeoutMs: 15_000, intervalMs: 100, what: `the admin-log notice that ${handle.workflowId} is stuck` });
  expect(notice!.embeds[0]?.description).toContain(`**${step}**`);
  return stuck;
}

/** After the flow went through: no longer stuck (query, search attribute), and exactly one "stuck" and one "went through" notice. */
export async function expectWentThrough(handle: WorkflowHandle, adminLog: { discord: FakeDiscord; channelId: string }): Promise<void> {
  expect(await handle.query(stuckQuery)).toBeNull();
  await waitFor(async () => (await flowStuckAttribute(handle)) === undefined, { timeoutMs: 15_000, intervalMs: 200, what: `FlowStuck removed from ${handle.workflowId}` });
  await waitFor(() => adminNotices(adminLog.discord, adminLog.channelId, handle.workflowId, '✅ A stuck flow went through').length > 0, {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: `the admin-log notice that ${handle.workflowId} went through`,
  });
  expect(adminNotices(adminLog.discord, adminLog.channelId, handle.workflowId, '⚠️ A flow is stuck')).toHaveLength(1);
  expect(adminNotices(adminLog.discord, adminLog.channelId, handle.workflowId, '✅ A stuck flow went through')).toHaveLength(1);
}

/** The patch ids a recorded history's `core_patch` markers carry (which patched() branches its run took). */
export function patchIds(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    const data = m?.markerName === 'core_patch' ? m.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

/** How long the server gave each scheduled activity of a history in all (its schedule-to-close), by activity type, in seconds. */
export function scheduleToCloseSeconds(history: temporal.api.history.v1.IHistory, activityType: string): number[] {
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a?.activityType?.name === activityType ? [Number(a.scheduleToCloseTimeout?.seconds ?? 0)] : [];
  });
}
