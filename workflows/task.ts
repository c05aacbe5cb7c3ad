import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DISCORD_REFUSALS } from '../lib/flows/discord';
import { mayAct, whoMay, type GrantName, type Need } from '../lib/grants';
import type { PermissionLevel } from '../lib/permissions';
import {
  abandonUpdate,
  cancelClaimSignal,
  decideUpdate,
  revokeUpdate,
  submitProofUpdate,
  TASK_FAILURES,
  TASK_REFUSALS,
  taskClaimStatusQuery,
  taskMessageChangedSignal,
  taskRevokeKey,
  type ActionResult,
  type ClaimView,
  type DecisionInput,
  type ProofInput,
  type RevokeInput,
  type TaskClaimInput,
  type TaskClaimState,
  type TaskClaimStatus,
  type TaskMessageInput,
} from '../lib/flows/tasks';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, showDetails, tagFlow, tell } from './common';
import { flowSteps } from './persistent-steps';

/**
 * A member's claim of a task, workflow id `task:{taskId}:{userId}`:
 *
 *   claim (slot taken atomically in the database, or refused) → wait for proof until the deadline →
 *   review post (Accept / Reject) → reviewer's decision (update, validated) →
 *     accept: role → reward ('reward' entry from issuance, key `{workflowId}:award:{n}`) → completed →
 *             member told → [revoke window: a revoke reverses the entry, removes the role]
 *     reject: member told the reason → back to waiting for proof (until the deadline)
 *   deadline without an accepted proof → expired, slot freed. Abandon (the member) or the task's deletion
 *   (cancel signal) end it too, slot freed.
 *
 * Compensations: an award that fails (the ledger refuses, the role cannot be given) takes back what was
 * done (the role) and the claim goes back to `submitted` with the reason shown to reviewers — nothing is
 * half-paid. Durations (claim deadline, revoke window) come from the task and the guild's settings.
 *
 * The steps that take or free a slot or move the reward (claim, end, award, complete, reversal, revoke,
 * the award failure's record) never give up on a transient failure and a cancellation does not stop them
 * (persistentSteps, `patience` from the input): past `stuckAfterSeconds` the flow is marked stuck and the
 * admins told. Cancelling the flow while the claim is open frees its slot. Discord steps keep their
 * profiles; proof and rejection records keep the `db` profile (a failure there is answered "try again").
 *
 * Updates wait until the main loop has applied them and return the outcome, so the button that sent one
 * can say what happened. Their validators refuse before anything is recorded in history.
 */

const profiles = activityProfiles(TASK_REFUSALS);
/** How a cancelled claim reads. */
const CANCELLED = { type: 'Cancelled', message: 'The claim was cancelled.' };

/** Database steps: retried through short outages. */
const db = proxyActivities<Activities>(profiles.db);
/** Discord calls and the award: a few retries for outages, then the step counts as failed. */
const discord = proxyActivities<Activities>(profiles.discord);
/** State changes after money moved, and compensations: retried until they happen (refusals excepted). */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);

type Action =
  | { kind: 'proof'; id: number; input: ProofInput }
  | { kind: 'decide'; id: number; input: DecisionInput }
  | { kind: 'revoke'; id: number; input: RevokeInput }
  | { kind: 'abandon'; id: number }
  | { kind: 'cancel'; id: number; reason: string };
type NewAction = Action extends infer A ? (A extends Action ? Omit<A, 'id'> : never) : never;

const OPEN: TaskClaimStatus[] = ['claimed', 'submitted'];
/** A reviewer's level only counts in their own server: the ids in a button or a URL do not say which. */
const OTHER_SERVER = 'This claim belongs to another server: only its own reviewers decide it.';

/** patched() ids of changes made after histories were recorded (see test/histories/README.md). */
const REVIEWER_CONFIRMED = 'task-reviewer-confirmed';
const POST_REFUSAL_REPORTED = 'task-message-refusal-reported';
const URL = /^https?:\/\/\S+$/i;
const IMAGE_URL = /^https?:\/\/\S+\.(png|jpe?g|gif|webp)(\?\S*)?$/i;

export async function taskClaim(input: TaskClaimInput): Promise<TaskClaimState> {
  const workflowId = workflowInfo().workflowId;
  tagFlow('task', input.guildId, input.userId);
  const state: TaskClaimState = {
    claimId: workflowId,
    status: 'claiming',
    refusal: null,
    deadlineAt: null,
    submissions: 0,
    lastRejectReason: null,
    awardFailure: null,
    decidedBy: null,
    reviewerLevel: null,
    revokableUntil: null,
  };
  let claim: ClaimView | null = null;
  let what = `task #${input.taskId} claimed by <@${input.userId}>`;
  const show = () => showDetails(state.status, what, state.awardFailure && `Award failed: ${state.awardFailure}`);
  show();
  const { neverGiveUp: steady, mustStep } = flowSteps({ guildId: input.guildId, describe: () => `Task claim: ${what}`, refusals: TASK_REFUSALS, patience: input.patience }, { db, mustHappen });

  // ─── Requests from people: validated at once, applied one at a time by the loop below ──────────────
  const queue: Action[] = [];
  const results = new Map<number, ActionResult>();
  let nextId = 0;
  /** An action is queued or running: a second one is refused (two reviewers clicking at once). */
  let busy = false;
  const enqueue = async (action: NewAction): Promise<ActionResult> => {
    const id = ++nextId;
    busy = true;
    queue.push({ ...action, id } as Action);
    await condition(() => results.has(id));
    const result = results.get(id)!;
    results.delete(id);
    return result;
  };
  const refuseIf = (cond: boolean, message: string) => {
    if (cond) throw ApplicationFailure.nonRetryable(message, TASK_FAILURES.refused);
  };
  const deadlinePassed = () => state.deadlineAt !== null && nowMs() >= new Date(state.deadlineAt).getTime();

  setHandler(taskClaimStatusQuery, () => ({ ...state }));
  setHandler(
    submitProofUpdate,
    (proof) => enqueue({ kind: 'proof', input: proof }),
    {
      validator: (proof) => {
        refuseIf(proof.userId !== input.userId, 'Only the member who claimed this task can submit proof for it.');
        refuseIf(busy || state.status === 'claiming', 'Your claim is busy with another request; try again in a moment.');
        refuseIf(state.status === 'submitted' || state.status === 'awarding', 'Your proof is already with the reviewers.');
        refuseIf(!OPEN.includes(state.status), `This claim is ${state.status}.`);
        refuseIf(deadlinePassed(), 'The deadline for this task has passed.');
        const text = proof.text?.trim() ?? '';
        const urls = proof.urls.filter((u: string) => u.trim());
        refuseIf(!text && urls.length === 0, 'The proof is empty.');
        refuseIf(text.length > 2000 || urls.length > 10, 'The proof is too long (at most 2000 characters and 10 links).');
        const type = claim?.proofType ?? 'text';
        const all = [...urls, ...text.split(/\s+/)];
        if (type === 'link') refuseIf(!all.some((u) => URL.test(u)), 'This task needs a link (https://…) as proof.');
        if (type === 'image') refuseIf(!all.some((u) => IMAGE_URL.test(u)) && urls.length === 0, 'This task needs an image as proof (an attachment, or a link to a .png/.jpg/.gif/.webp).');
      },
    },
  );
  // Who may decide: the claim's reviewer level, or the Review tasks grant. Level and grants are what the
  // sender found (the bot, the API); an accept is confirmed again by taskConfirmReviewer before paying.
  const reviewNeed = (): Need => ({ level: state.reviewerLevel ?? 'admin', grant: 'review_tasks' });
  const mayReview = (r: { reviewerLevel: PermissionLevel; reviewerGrants?: readonly GrantName[] }) =>
    state.reviewerLevel !== null && mayAct({ level: r.reviewerLevel, grants: r.reviewerGrants ?? [] }, reviewNeed());
  setHandler(
    decideUpdate,
    (decision) => enqueue({ kind: 'decide', input: decision }),
    {
      validator: (decision) => {
        refuseIf(decision.guildId !== input.guildId, OTHER_SERVER);
        refuseIf(decision.reviewerId === input.userId, 'You cannot review your own proof.');
        refuseIf(!mayReview(decision), `Only ${whoMay(reviewNeed())} can review proofs.`);
        refuseIf(busy || state.status === 'awarding', 'Another reviewer is deciding this proof right now.');
        refuseIf(state.status !== 'submitted', state.status === 'completed' ? `This proof was already accepted${state.decidedBy ? ` by <@${state.decidedBy}>` : ''}.` : state.status === 'claimed' ? `There is no proof waiting: it was ${state.lastRejectReason ? 'rejected' : 'not sent'} yet.` : `This claim is ${state.status}.`);
        refuseIf(decision.decision === 'reject' && !decision.reason?.trim(), 'A rejection needs a reason.');
      },
    },
  );
  setHandler(
    revokeUpdate,
    (revoke) => enqueue({ kind: 'revoke', input: revoke }),
    {
      validator: (revoke) => {
        refuseIf(revoke.guildId !== input.guildId, OTHER_SERVER);
        refuseIf(revoke.reviewerId === input.userId, 'You cannot revoke your own award.');
        refuseIf(!mayReview(revoke), `Only ${whoMay(reviewNeed())} can revoke awards.`);
        refuseIf(busy, 'This claim is busy with another request; try again in a moment.');
        refuseIf(state.status !== 'completed', state.status === 'revoked' ? 'This award was already revoked.' : `Only an accepted award can be revoked (this claim is ${state.status}).`);
        refuseIf(!revoke.reason.trim(), 'A revoke needs a reason.');
      },
    },
  );
  setHandler(
    abandonUpdate,
    (who) => enqueue({ kind: 'abandon', ...who }),
    {
      validator: (who) => {
        refuseIf(who.userId !== input.userId, 'Only the member who claimed this task can abandon it.');
        refuseIf(busy || state.status === 'claiming' || state.status === 'awarding', 'Your claim is busy; try again in a moment.');
        refuseIf(!OPEN.includes(state.status), `This claim is ${state.status}.`);
      },
    },
  );
  setHandler(cancelClaimSignal, ({ reason }) => {
    queue.push({ kind: 'cancel', id: ++nextId, reason });
  });

  // ─── Claim ─────────────────────────────────────────────────────────────────────────────────────────
  // Retried until the database answers: a claim that might have taken its slot must not be abandoned.
  const claimed = await mustStep('take the slot', (a) => a.taskClaim({ claimId: workflowId, guildId: input.guildId, taskId: input.taskId, userId: input.userId }));
  if (!claimed.ok) {
    state.status = 'refused';
    state.refusal = claimed.reason;
    show();
    await tellMember(() => discord.taskNotifyRefused({ taskId: input.taskId, userId: input.userId, reason: claimed.reason, reply: input.reply ?? null }));
    return finish();
  }
  claim = claimed.claim;
  const c: ClaimView = claimed.claim;
  what = `${c.taskName} (task #${c.taskId}) claimed by <@${c.userId}>`;
  state.status = 'claimed';
  state.deadlineAt = c.deadlineAt;
  state.reviewerLevel = c.reviewerLevel;
  show();
  await syncMessage(c.taskId);
  await tellMember(() => discord.taskNotifyMember({ claimId: workflowId, event: 'claimed', reply: input.reply ?? null }));

  const reply = (action: Action, ok: boolean, message: string) => {
    results.set(action.id, { ok, status: state.status, message });
  };

  // ─── Open claim: proofs, decisions, abandon, cancel, deadline ───────────────────────────────────────
  try {
    while (OPEN.includes(state.status)) {
      // The deadline bounds getting a proof in; a proof with the reviewers waits for their decision.
      let woke = true;
      if (state.status === 'claimed') {
        woke = await condition(() => queue.length > 0, Math.max(1, new Date(state.deadlineAt!).getTime() - nowMs()));
      } else {
        await condition(() => queue.length > 0);
      }
      if (!woke) {
        await endOpenClaim('expired');
        break;
      }
      const action = queue.shift()!;
      try {
        if (action.kind === 'cancel') {
          await endOpenClaim('cancelled');
          reply(action, true, 'cancelled');
        } else if (action.kind === 'abandon') {
          await endOpenClaim('abandoned');
          reply(action, true, 'You abandoned the task; its slot is free again.');
        } else if (action.kind === 'proof') {
          if (state.status !== 'claimed' || deadlinePassed()) {
            reply(action, false, deadlinePassed() ? 'The deadline for this task has passed.' : 'Your proof is already with the reviewers.');
            continue;
          }
          const submission = state.submissions + 1;
          await db.taskSubmitProof({ claimId: workflowId, submission, text: action.input.text?.trim() || null, urls: action.input.urls });
          state.submissions = submission;
          state.status = 'submitted';
          state.awardFailure = null;
          show();
          await tellReviewers(() => discord.taskPostReview({ claimId: workflowId }));
          reply(action, true, 'Your proof was sent to the reviewers.');
        } else if (action.kind === 'decide') {
          if (state.status !== 'submitted') {
            reply(action, false, `This claim is ${state.status}.`);
          } else if (action.input.decision === 'reject') {
            const reason = action.input.reason!.trim().slice(0, 1000);
            await db.taskRejectProof({ claimId: workflowId, submission: state.submissions, reviewerId: action.input.reviewerId, reason });
            state.status = 'claimed';
            state.lastRejectReason = reason;
            state.decidedBy = action.input.reviewerId;
            show();
            await tellReviewers(() => discord.taskUpdateReview({ claimId: workflowId, state: 'rejected' }));
            await tellMember(() => discord.taskNotifyMember({ claimId: workflowId, event: 'rejected' }));
            if (deadlinePassed()) await endOpenClaim('expired');
            reply(action, true, deadlinePassed() ? 'Rejected; the deadline has passed, so the claim expired.' : 'Rejected; the member was told the reason and may submit again before the deadline.');
          } else {
            // The decision's reviewer and level are what its sender wrote (the bot, the API — or anyone with
            // access to Temporal): we look the reviewer up ourselves before paying.
            const reviewer = patched(REVIEWER_CONFIRMED)
              ? await db.taskConfirmReviewer({ guildId: c.guildId, reviewerId: action.input.reviewerId, claimantId: input.userId, required: state.reviewerLevel ?? 'admin' })
              : null;
            if (reviewer && !reviewer.ok) {
              reply(action, false, reviewer.reason);
            } else {
              const outcome = await award(c, action.input.reviewerId);
              reply(action, outcome.ok, outcome.message);
            }
          }
        } else {
          reply(action, false, 'Only an accepted award can be revoked.');
        }
      } catch (err) {
        // A step that kept failing (the database away for minutes): the claim stays as it was, the person
        // who asked is told to try again, the flow goes on waiting.
        if (isCancellation(err)) throw err;
        log.warn('a claim request could not be applied', { claimId: workflowId, kind: action.kind, failure: failureOf(err, CANCELLED) });
        if (!results.has(action.id)) reply(action, false, `That could not be done right now (${failureOf(err, CANCELLED).message}); nothing changed, try again.`);
      } finally {
        if (!results.has(action.id) && action.kind !== 'cancel') reply(action, false, 'The request could not be applied.');
        busy = queue.length > 0;
      }
    }
  } catch (err) {
    // Cancelling the flow (an admin, e.g. of a stuck claim) frees an open claim's slot, as the task's deletion would.
    if (steady && isCancellation(err) && OPEN.includes(state.status)) await endOpenClaim('cancelled');
    throw err;
  }

  // ─── Accepted: the revoke window ────────────────────────────────────────────────────────────────────
  if ((state.status as TaskClaimStatus) === 'completed' && c.revokeWindowSeconds > 0) {
    state.revokableUntil = new Date(nowMs() + c.revokeWindowSeconds * 1000).toISOString();
    const until = new Date(state.revokableUntil).getTime();
    while ((state.status as TaskClaimStatus) === 'completed') {
      const left = until - nowMs();
      if (left <= 0 || !(await condition(() => queue.length > 0, left))) break;
      const action = queue.shift()!;
      try {
        if (action.kind === 'revoke') reply(action, true, await revoke(c, action.input));
        else if (action.kind === 'cancel') reply(action, true, 'completed claims stay');
        else reply(action, false, `This claim is ${state.status}.`);
      } finally {
        busy = queue.length > 0;
      }
    }
    state.revokableUntil = null;
  }
  // Requests that arrived too late are answered, not left hanging.
  for (const action of queue.splice(0)) results.set(action.id, { ok: false, status: state.status, message: `This claim is ${state.status}.` });
  return finish();

  // ─── Steps ──────────────────────────────────────────────────────────────────────────────────────────

  async function finish(): Promise<TaskClaimState> {
    await condition(allHandlersFinished);
    show();
    return { ...state };
  }

  /** expired / abandoned / cancelled: slot freed, counters and review post updated, member told. */
  async function endOpenClaim(status: 'expired' | 'abandoned' | 'cancelled'): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      const hadProof = state.submissions > 0;
      await mustStep('free the slot', (a) => a.taskEndClaim({ claimId: workflowId, status }));
      state.status = status;
      show();
      await syncMessage(claim!.taskId);
      if (hadProof) await tellReviewers(() => discord.taskUpdateReview({ claimId: workflowId, state: status }));
      await tellMember(() => discord.taskNotifyMember({ claimId: workflowId, event: status }));
    });
  }

  /**
   * Accept: give the role, pay the reward, mark completed. A failure for good undoes the role and puts
   * the claim back to `submitted` with the reason for the reviewers; the next Accept uses a new key
   * (`:award:{n}`), which is safe because a refused transfer recorded nothing.
   */
  async function award(c: ClaimView, reviewerId: string): Promise<{ ok: boolean; message: string }> {
    state.status = 'awarding';
    show();
    const role = c.roleId ? { guildId: c.guildId, userId: c.userId, roleId: c.roleId } : null;
    let roleAdded = false;
    const awardKey = `${workflowId}:award:${state.submissions}:${nextId}`;
    const paid = BigInt(c.reward) > 0n;
    try {
      if (role) {
        const had = await discord.discordMemberHasRole(role);
        await discord.discordAddRole({ ...role, reason: `Guildflow task accepted: ${c.taskName} (${workflowId})` });
        roleAdded = !had;
      }
      if (paid) {
        // Retried until the ledger answers: a failure here is a refusal, so nothing was recorded.
        await mustStep('pay the reward', (a) =>
          a.ledgerTransfer({
            guildId: c.guildId,
            key: awardKey,
            type: 'reward',
            actor: reviewerId.startsWith('token:') ? { type: 'api_token', id: reviewerId.slice('token:'.length) } : { type: 'user', id: reviewerId },
            reason: `Task reward: ${c.taskName}`,
            refs: { taskId: c.taskId, claimId: workflowId },
            asset: c.assetCode,
            from: { ownerType: 'system', ownerId: 'issuance' },
            to: { ownerType: 'user', ownerId: c.userId },
            amount: c.reward,
          }),
        );
      }
    } catch (err) {
      const failure = failureOf(err, CANCELLED);
      log.warn('task award failed; compensating', { claimId: workflowId, failure });
      await CancellationScope.nonCancellable(async () => {
        if (role && roleAdded) {
          try {
            await mustHappen.discordRemoveRole({ ...role, reason: `Guildflow task award failed (${workflowId})` });
          } catch (cerr) {
            log.warn('could not take back the role of a failed award', { claimId: workflowId, failure: failureOf(cerr, CANCELLED) });
          }
        }
        await mustStep('record the failed award', (a) => a.taskRecordAwardFailure({ claimId: workflowId, reason: failure.message }));
      });
      state.status = 'submitted';
      state.awardFailure = failure.message;
      show();
      await tellReviewers(() => discord.taskUpdateReview({ claimId: workflowId, state: 'award_failed' }));
      return { ok: false, message: `The award failed and nothing was paid: ${failure.message}` };
    }
    // Paid: the record must follow, however long the database is away.
    await mustStep('record the award', (a) => a.taskComplete({ claimId: workflowId, reviewerId, rewardPaid: paid ? c.reward : null, awardKey: paid ? awardKey : null, roleGranted: role !== null }));
    state.status = 'completed';
    state.decidedBy = reviewerId;
    state.awardFailure = null;
    show();
    await syncMessage(c.taskId);
    await tellReviewers(() => discord.taskUpdateReview({ claimId: workflowId, state: 'accepted' }));
    await tellMember(() => discord.taskNotifyMember({ claimId: workflowId, event: 'accepted' }));
    return { ok: true, message: 'Accepted: the reward was paid and the member told.' };
  }

  /** Revoke: reverse the award (never below zero: what is missing is reported), remove the role, tell. */
  async function revoke(c: ClaimView, r: RevokeInput): Promise<string> {
    const reason = r.reason.trim().slice(0, 1000);
    const { reversed, shortfall } = await mustStep('take the reward back', (a) => a.taskReverseAward({ claimId: workflowId, key: taskRevokeKey(workflowId), reviewerId: r.reviewerId, reason }));
    let roleRemoved = false;
    if (c.roleId) {
      try {
        roleRemoved = (await discord.discordRemoveRole({ guildId: c.guildId, userId: c.userId, roleId: c.roleId, reason: `Guildflow task award revoked (${workflowId})` })).removed;
      } catch (err) {
        log.warn('could not remove the role of a revoked award', { claimId: workflowId, failure: failureOf(err, CANCELLED) });
      }
    }
    await mustStep('record the revoke', (a) => a.taskMarkRevoked({ claimId: workflowId, reviewerId: r.reviewerId, reason, reversed, shortfall, roleRemoved }));
    state.status = 'revoked';
    show();
    await syncMessage(c.taskId);
    await tellReviewers(() => discord.taskUpdateReview({ claimId: workflowId, state: 'revoked' }));
    await tellMember(() => discord.taskNotifyMember({ claimId: workflowId, event: 'revoked' }));
    const role = c.roleId ? (roleRemoved ? ' The role was removed.' : ' The role could not be removed (see the log).') : '';
    return BigInt(shortfall) > 0n
      ? `Revoked. ${reversed} taken back; ${shortfall} could not be (the member had spent it).${role}`
      : `Revoked. ${reversed} taken back.${role}`;
  }
}

/** The task message's counters follow the claim; a Discord failure there never undoes the claim. */
const syncMessage = (taskId: number) => tell('update the task message', () => discord.taskSyncMessage({ taskId }));
/** Telling people never undoes a step. */
const tellMember = (fn: () => Promise<unknown>) => tell('tell the member', fn);
const tellReviewers = (fn: () => Promise<unknown>) => tell('update the review post', fn);

// ─── The task message, for changes made outside a claim (create, edit, delete) ─────────────────────────

/**
 * `task-message:{guildId}:{taskId}`: brings the task's message up to date, again for every `changed` signal that
 * arrives meanwhile (callers use signal-with-start). An open task with an end date waits for it and redraws
 * the post then (Claim disabled), so members see it close without anyone touching it; then it ends.
 * Discord refusing the post (the task channel gone, a permission taken away) is the server's state, not a bug:
 * the admin log is told and the flow ends; the task's next change tries again
 * (`patched('task-message-refusal-reported')`). Outages are retried until they pass.
 */
export async function taskMessage(input: TaskMessageInput): Promise<{ syncs: number; problem?: string }> {
  tagFlow('task-message', input.guildId);
  let dirty = true;
  let syncs = 0;
  setHandler(taskMessageChangedSignal, () => {
    dirty = true;
  });
  while (dirty) {
    dirty = false;
    syncs += 1;
    let refreshAt: string | null;
    try {
      ({ refreshAt } = await mustHappen.taskSyncMessage({ taskId: input.taskId }));
    } catch (err) {
      const failure = failureOf(err);
      // Runs recorded before this change failed the workflow here (the patch marker is only written on this path).
      if (!DISCORD_REFUSALS.includes(failure.type) || !patched(POST_REFUSAL_REPORTED)) throw err;
      const problem = `The post of task #${input.taskId} could not be updated: ${failure.message} It is drawn again at the task's next change.`;
      await tell('tell the admins', () => discord.discordPostAdminLog({ guildId: input.guildId, message: { content: problem, allowed_mentions: { parse: [] } } }));
      return { syncs, problem };
    }
    if (!dirty && refreshAt) {
      // Woken early by a change, or at the end date: either way the post is drawn again (at least a
      // second apart, should the worker's and the database's clocks disagree).
      await condition(() => dirty, Math.max(1000, new Date(refreshAt).getTime() - nowMs()));
      dirty = true;
    }
  }
  return { syncs };
}
