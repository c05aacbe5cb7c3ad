import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_PATIENCE, retryNowSignal, stuckQuery, type Patience, type StuckStep } from '../lib/flows/flow';
import { FlowStuck } from '../lib/search-attributes';
import { activityProfiles } from './activity-options';
import { nowMs, tell } from './common';

/**
 * Steps that must not give up: those that move money or stock, and every compensation. A transient
 * failure (the database away, a timeout) never fails the flow: the step is tried in rounds of
 * `stuckAfterSeconds`; when a round ends without success the flow is marked stuck (its `stuck` query, the
 * FlowStuck search attribute, a warning in the worker log and one notice in the admin log) and the next
 * round starts after `retryEverySeconds` — or at once on the `retryNow` signal. When the step goes
 * through, the mark is removed and the admin log hears that it did. A refusal (a typed, non-retryable
 * failure) and a cancellation are thrown: they are the flow's to handle.
 *
 * A step's activity must be idempotent, also when two attempts overlap: a round can end while an attempt
 * still runs. Cancelling the flow waits for a running attempt to finish, so a compensation never runs
 * beside the step it undoes.
 */
export interface PersistentSteps {
  /** Runs `call` (one activity) until it succeeds or is refused; `step` names it for people. */
  run<T>(step: string, call: (activities: Activities) => Promise<T>): Promise<T>;
}

export interface PersistentStepsOptions {
  guildId: string;
  /** What the flow is, for the admin log ("Purchase of 2 × Sword by <@…>"); read when a notice is sent. */
  describe: () => string;
  /** The flow's refusal types: thrown at once, never retried. */
  refusals: readonly string[];
  patience?: Patience | null;
}

/** Call once per workflow run (it installs the `stuck` query and the `retryNow` signal). */
export function persistentSteps(options: PersistentStepsOptions): PersistentSteps {
  const patience = options.patience ?? DEFAULT_PATIENCE;
  const profiles = activityProfiles(options.refusals);
  const round = proxyActivities<Activities>({
    ...profiles.mustHappen,
    scheduleToCloseTimeout: `${patience.stuckAfterSeconds} seconds`,
    retry: { ...profiles.mustHappen.retry, maximumInterval: `${Math.max(1, Math.min(patience.retryEverySeconds, 300))} seconds` },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // A few quick tries: a notice that cannot go out now is tried again at the next round.
  const notices = proxyActivities<Activities>(profiles.quick);

  let stuck: StuckStep | null = null;
  let retryNow = false;
  setHandler(stuckQuery, () => (stuck ? { ...stuck } : null));
  setHandler(retryNowSignal, () => {
    retryNow = true;
  });

  /** Whether the notice reached the admin log (it cannot while its channel is unknown and the database away). */
  const adminLog = async (title: string, description: string, colour: number): Promise<boolean> => {
    let posted = false;
    await tell(`tell the admins (${title})`, async () => {
      const message = { embeds: [{ title, description, color: colour, footer: { text: `Guildflow · ${workflowInfo().workflowId}` } }] };
      posted = (await notices.discordPostAdminLog({ guildId: options.guildId, message })).posted;
    });
    return posted;
  };

  /** Not stuck any more: the step went through, or is no longer retried (refused, or the flow cancelled). */
  const unmark = () => {
    if (!stuck) return;
    stuck = null;
    upsertSearchAttributes([{ key: FlowStuck, value: null }]);
  };

  return {
    async run<T>(step: string, call: (activities: Activities) => Promise<T>): Promise<T> {
      const startedAt = nowMs();
      let rounds = 0;
      let alerted = false;
      for (;;) {
        rounds += 1;
        // Reset when a round starts, not when it has failed: a retryNow that arrives while the round or the
        // stuck notice is under way then starts the next round at once instead of being lost.
        retryNow = false;
        try {
          const result = await call(round);
          if (stuck) {
            const minutes = Math.max(1, Math.round((nowMs() - startedAt) / 60_000));
            log.info('stuck step went through', { step, rounds });
            unmark();
            await adminLog('✅ A stuck flow went through', `${options.describe()}\n**${step}** succeeded after ${minutes} min (${rounds} rounds). Nothing was lost.`, 0x2ecc71);
          }
          return result;
        } catch (err) {
          if (!isTransient(err, options.refusals)) {
            unmark();
            throw err;
          }
          const failure = messageOf(err);
          if (stuck === null) upsertSearchAttributes([{ key: FlowStuck, value: step }]);
          stuck = { step, since: new Date(startedAt).toISOString(), failure, rounds };
          log.warn('step is stuck; retrying', { step, rounds, failure });
          if (!alerted) {
            alerted = await adminLog(
              '⚠️ A flow is stuck',
              `${options.describe()}\n**${step}** has failed since <t:${Math.floor(startedAt / 1000)}:R>: ${failure}\n` +
                `It keeps trying every ${patience.retryEverySeconds} s by itself and nothing is lost. An admin can retry it now or cancel it (its compensations run) from the API: \`POST /api/guilds/${options.guildId}/flows/${workflowInfo().workflowId}/retry\` or \`…/cancel\`.`,
              0xe67e22,
            );
          }
          await condition(() => retryNow, patience.retryEverySeconds * 1000).catch((cancelled: unknown) => {
            unmark();
            throw cancelled;
          });
        }
      }
    },
  };
}

/** The patched() id of the change that made money flows' steps persistent. */
const NEVER_GIVE_UP = 'money-steps-never-give-up';

/** How a flow runs its database steps (`dbStep`) and the steps after money moved or that undo (`mustStep`). */
export interface FlowSteps {
  /** This execution has persistent steps (false: a history from before `money-steps-never-give-up` is replayed). */
  neverGiveUp: boolean;
  dbStep<T>(step: string, call: (activities: Activities) => Promise<T>): Promise<T>;
  mustStep<T>(step: string, call: (activities: Activities) => Promise<T>): Promise<T>;
}

/**
 * Chosen once, where the flow's history has its `money-steps-never-give-up` marker: new executions run both
 * kinds as persistent steps, `mustStep` also shielded from a cancellation (it runs after money moved, or
 * undoes something); a history from before replays with the proxies it used then.
 */
export function flowSteps(options: PersistentStepsOptions, before: { db: Activities; mustHappen: Activities }): FlowSteps {
  if (!patched(NEVER_GIVE_UP)) {
    return { neverGiveUp: false, dbStep: (_step, call) => call(before.db), mustStep: (_step, call) => call(before.mustHappen) };
  }
  const steady = persistentSteps(options);
  return {
    neverGiveUp: true,
    dbStep: (step, call) => steady.run(step, call),
    mustStep: (step, call) => CancellationScope.nonCancellable(() => steady.run(step, call)),
  };
}

/** Worth another round: anything but a refusal (typed or non-retryable) and a cancellation. */
function isTransient(err: unknown, refusals: readonly string[]): boolean {
  if (isCancellation(err) || !(err instanceof ActivityFailure)) return false;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return !cause.nonRetryable && !refusals.includes(cause.type ?? '');
  return true;
}

/** The innermost message: a round's timeout wraps the last attempt's failure. */
function messageOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
