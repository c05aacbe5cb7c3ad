import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { InteractionReply } from '../lib/flows/flow';
import {
  cancelVerification,
  checkVerification,
  showVerification,
  VERIFY_FAILURES,
  VERIFY_REFUSALS,
  verifyStatusQuery,
  type LinkSnapshot,
  type UnverifyInput,
  type UnverifyResult,
  type VerifyInput,
  type VerifyMethod,
  type VerifySettingsView,
  type VerifyView,
} from '../lib/flows/verify';
import { descriptionHasPhrase, generatePhrase, renderNickname, seededRandom, trimDescription } from '../lib/roblox/phrase';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, showDetails, tagFlow, tell } from './common';

/**
 * Roblox verification, workflow id `verify:{guild}:{user}`:
 *
 *   settings → resolve the username (unknown / banned: failed) → refuse an account another member holds →
 *   a phrase of random words (deterministic: seeded by the run id) → wait for Check (update; at most
 *   N per minute, each reads the profile through an activity) or Cancel, until the expiry → on a match:
 *   save the link (the unique index decides a race) → verified role → unverified role off → nickname.
 *
 * A saga: when the role or the nickname cannot be applied (missing permission, role hierarchy, the server
 * owner), what was done is undone in reverse — nickname back, unverified role back, verified role off, the
 * link removed and the member's previous link restored — and the run ends `failed` with the exact reason,
 * told to the member and the admin log.
 *
 * Roblox not answering the username lookup past its retries ends the run `failed` too, with a reason that
 * says to try again later (`patched('verify-lookup-failure-ends-failed')`): an outage is an outcome, not a
 * failed workflow.
 *
 * The bot starts it with update-with-start (`show`), so a second /verify finds the same pending phrase.
 * An admin's link (`method: 'admin'`) skips the phrase. Durations come from the guild's settings.
 */

const TERMINAL = ['verified', 'failed', 'expired', 'cancelled'];

const profiles = activityProfiles(VERIFY_REFUSALS);
/** patched() ids of changes made after histories were recorded (see test/histories/README.md). */
const LOOKUP_FAILURE_ENDS_FAILED = 'verify-lookup-failure-ends-failed';
const MEMBER_READ_FAILURE_REPORTED = 'unverify-member-read-failure-reported';

/** How a cancelled verification reads. */
const CANCELLED = { type: 'Cancelled', message: 'The verification was cancelled.' };
const db = proxyActivities<Activities>(profiles.db);
/** Roblox reads: a member is waiting, so a few quick retries, then the check says Roblox is unavailable. */
const roblox = proxyActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 4, nonRetryableErrorTypes: [...VERIFY_REFUSALS] },
});
const discord = proxyActivities<Activities>(profiles.discord);
/** Compensations and the run's record must happen: retried until they do (refusals excepted). */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);

export async function verify(input: VerifyInput): Promise<VerifyView> {
  const { workflowId, runId } = workflowInfo();
  const method: VerifyMethod = input.method ?? 'profile_phrase';
  tagFlow('verify', input.guildId, input.userId);
  const view: VerifyView = {
    workflowId,
    guildId: input.guildId,
    userId: input.userId,
    method,
    phase: 'resolving',
    username: input.username,
    roblox: null,
    phrase: null,
    expiresAt: null,
    expirySeconds: 0,
    checksPerMinute: 0,
    checks: 0,
    lastFound: null,
    reason: null,
    roleGiven: null,
    nicknameSet: null,
    note: null,
  };
  const details = () => showDetails(view.phase, `<@${input.userId}> → Roblox ${view.roblox ? `${view.roblox.name} (${view.roblox.id})` : input.username}`, view.reason);
  details();

  let lastReply: InteractionReply | null = null;
  let checking = false;
  let matched = false;
  let cancelled = false;
  const checkTimes: number[] = [];
  const snapshot = (note: string | null = null): VerifyView => ({ ...view, roblox: view.roblox && { ...view.roblox }, note });

  setHandler(verifyStatusQuery, () => snapshot());
  setHandler(showVerification, async (args) => {
    // A /verify that reaches a run which has already ended (it was closing): the caller starts a new one.
    if (TERMINAL.includes(view.phase)) return { ...snapshot('This verification has just ended.'), ended: true };
    if (args.reply) lastReply = args.reply;
    await condition(() => view.phase !== 'resolving');
    const other = args.username.trim().toLowerCase() !== input.username.trim().toLowerCase();
    return snapshot(
      other && view.phase === 'waiting'
        ? `You already have a verification pending for **${view.roblox?.name ?? input.username}**: finish it, or press Cancel and use /verify again for ${args.username}.`
        : null,
    );
  });
  setHandler(
    checkVerification,
    async (args) => {
      if (args.reply) lastReply = args.reply;
      if (view.phase !== 'waiting') return snapshot();
      checking = true;
      checkTimes.push(nowMs());
      view.checks += 1;
      try {
        const profile = await roblox.robloxReadProfile({ robloxId: view.roblox!.id });
        if (descriptionHasPhrase(profile.description, view.phrase!)) matched = true;
        else view.lastFound = trimDescription(profile.description);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`Guildflow could not read the Roblox profile right now (${failureOf(err, CANCELLED).message}) Press Check again in a moment.`, VERIFY_FAILURES.checkFailed);
      } finally {
        checking = false;
      }
      if (matched) await condition(() => TERMINAL.includes(view.phase));
      return snapshot();
    },
    {
      validator: (_args) => {
        if (view.phase !== 'waiting') return;
        if (checking) throw ApplicationFailure.nonRetryable('A check is already running: wait for its answer.', VERIFY_FAILURES.checkBusy);
        const now = nowMs();
        const recent = checkTimes.filter((t) => now - t < 60_000);
        if (recent.length >= view.checksPerMinute) {
          const wait = Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
          throw ApplicationFailure.nonRetryable(`You can check ${view.checksPerMinute} time${view.checksPerMinute === 1 ? '' : 's'} a minute: try again in ${wait} s.`, VERIFY_FAILURES.checkLimit);
        }
      },
    },
  );
  setHandler(cancelVerification, async () => {
    if (view.phase !== 'waiting') return snapshot(`This verification is already ${view.phase}.`);
    cancelled = true;
    await condition(() => view.phase === 'cancelled' || TERMINAL.includes(view.phase));
    return snapshot();
  });

  const finish = async (phase: 'verified' | 'failed' | 'expired' | 'cancelled', reason: string | null): Promise<VerifyView> => {
    view.phase = phase;
    view.reason = reason;
    details();
    await mustHappen.verifyEnd({ runId, status: phase, reason, robloxId: view.roblox?.id ?? null, robloxName: view.roblox?.name ?? null });
    if (input.notify === 'dm' && phase !== 'cancelled') await notifyMember(input.userId, null, snapshot());
    // Updates waiting on this outcome answer before the run closes.
    await condition(allHandlersFinished);
    return snapshot();
  };

  const settings = await db.verifyLoadSettings({ guildId: input.guildId });
  view.expirySeconds = settings.expirySeconds;
  view.checksPerMinute = settings.checksPerMinute;
  await db.verifyBegin({ runId, workflowId, guildId: input.guildId, userId: input.userId, method });

  let found: Awaited<ReturnType<typeof roblox.robloxLookup>>;
  try {
    found = await roblox.robloxLookup({ username: input.username });
  } catch (err) {
    // Runs recorded before this change failed the workflow here (the patch marker is only written on this path).
    if (isCancellation(err) || !patched(LOOKUP_FAILURE_ENDS_FAILED)) throw err;
    return lookupFailed(failureOf(err, CANCELLED));
  }
  if (found.status === 'unknown') {
    return finish('failed', `No Roblox account is named **${input.username}**. Check the spelling (the username, not the display name) and try again.`);
  }
  view.roblox = found.user;
  if (found.status === 'banned') return finish('failed', `The Roblox account **${found.user.name}** is banned by Roblox and cannot be linked.`);

  if (method === 'profile_phrase') {
    const holder = await db.verifyLinkHolder({ guildId: input.guildId, robloxId: found.user.id });
    if (holder && holder !== input.userId) {
      return finish('failed', `The Roblox account **${found.user.name}** is already linked to another member of this server. If it is yours, ask an admin (they can link it with /verify-admin force).`);
    }
    view.phrase = generatePhrase(settings.phraseWords, seededRandom(runId));
    view.expiresAt = new Date(nowMs() + settings.expirySeconds * 1000).toISOString();
    view.phase = 'waiting';
    details();
    if (input.notify === 'dm') await notifyMember(input.userId, null, snapshot());

    const decided = await condition(() => matched || cancelled, settings.expirySeconds * 1000);
    // A check that was running when the time ran out still counts.
    if (!decided && checking) await condition(() => !checking);
    if (cancelled && !matched) return finish('cancelled', null);
    if (!matched) {
      const expired = await finish('expired', null);
      if (input.notify !== 'dm') await notifyMember(input.userId, lastReply, expired);
      return expired;
    }
  }
  return link(settings);

  async function link(s: VerifySettingsView): Promise<VerifyView> {
    view.phase = 'linking';
    details();
    const user = view.roblox!;
    const compensations: { name: string; run: () => Promise<unknown> }[] = [];
    const reason = `Guildflow verification: Roblox ${user.name} (${user.id})`;
    try {
      const saved = await db.verifySaveLink({
        guildId: input.guildId,
        userId: input.userId,
        roblox: user,
        method,
        linkedBy: input.linkedBy ?? null,
        override: input.override ?? false,
        workflowId,
        runId,
      });
      compensations.unshift({ name: 'remove the link', run: () => mustHappen.verifyUndoLink({ guildId: input.guildId, userId: input.userId, runId }) });

      const member = await discord.discordGetMember({ guildId: input.guildId, userId: input.userId });
      if (!member) throw ApplicationFailure.nonRetryable(`<@${input.userId}> is no longer a member of the server.`, 'DiscordUnknownMember');
      const who = { guildId: input.guildId, userId: input.userId };

      if (s.verifiedRoleId) {
        if (!member.roles.includes(s.verifiedRoleId)) {
          await discord.discordAddRole({ ...who, roleId: s.verifiedRoleId, reason });
          const roleId = s.verifiedRoleId;
          compensations.unshift({ name: 'take the verified role back', run: () => mustHappen.discordRemoveRole({ ...who, roleId, reason: `${reason} failed` }) });
        }
        view.roleGiven = s.verifiedRoleId;
      }
      if (s.unverifiedRoleId && member.roles.includes(s.unverifiedRoleId)) {
        const roleId = s.unverifiedRoleId;
        await discord.discordRemoveRole({ ...who, roleId, reason });
        compensations.unshift({ name: 'give the unverified role back', run: () => mustHappen.discordAddRole({ ...who, roleId, reason: `${reason} failed` }) });
      }
      if (s.nicknameTemplate) {
        const nick = renderNickname(s.nicknameTemplate, { robloxName: user.name, displayName: user.displayName, discordName: member.globalName ?? member.username });
        if (nick && nick !== member.nick) {
          await discord.discordSetNickname({ ...who, nick, reason });
          const before = member.nick;
          compensations.unshift({ name: 'restore the nickname', run: () => mustHappen.discordSetNickname({ ...who, nick: before, reason: `${reason} failed` }) });
          // Re-verify: the nickname to restore one day is the one from before Guildflow's first.
          const previous: LinkSnapshot | null = saved.previous;
          const original = previous && previous.nicknameSet === member.nick ? previous.nicknameBefore : member.nick;
          await db.verifyRecordNickname({ ...who, runId, nicknameSet: nick, nicknameBefore: original });
        }
        if (nick) view.nicknameSet = nick;
      }
    } catch (err) {
      const failure = failureOf(err, CANCELLED);
      log.warn('verification failed; compensating', { workflowId, failure, compensations: compensations.map((c) => c.name) });
      const problems: string[] = [];
      await CancellationScope.nonCancellable(async () => {
        for (const c of compensations) {
          try {
            await c.run();
          } catch (cerr) {
            problems.push(`Could not ${c.name}: ${failureOf(cerr, CANCELLED).message}`);
          }
        }
      });
      view.roleGiven = null;
      view.nicknameSet = null;
      const undone = compensations.length ? ' Nothing was kept: the link, roles and nickname are as they were.' : '';
      const result = await finish('failed', `${failure.message}${undone}${problems.length ? `\n${problems.join('\n')}` : ''}`);
      if (failure.type !== VERIFY_FAILURES.accountTaken || problems.length) {
        await notifyAdmins(
          'Verification failed',
          `<@${input.userId}> proved the Roblox account **${user.name}** (${user.id}) but Guildflow could not finish:\n${failure.message}${undone}${problems.length ? `\n${problems.join('\n')}` : ''}`,
          'error',
        );
      }
      if (isCancellation(err)) throw err;
      return result;
    }
    const done = await finish('verified', null);
    if (method === 'admin') {
      await notifyAdmins('Roblox account linked by an admin', `${input.linkedBy ?? 'An admin'} linked <@${input.userId}> to **${user.name}** (${user.id}).`, 'info');
    }
    return done;
  }

  /**
   * The username could not be looked up: Roblox did not answer past the retries (the member tries again
   * later; nothing an admin can do), or Roblox or the worker refused (the admins are told: it will not pass).
   */
  async function lookupFailed(failure: { type: string; message: string }): Promise<VerifyView> {
    log.warn('Roblox lookup failed; the verification ends', { workflowId, failure });
    const outage = failure.type !== VERIFY_FAILURES.robloxRefused && failure.type !== VERIFY_FAILURES.robloxNotConfigured;
    const result = await finish(
      'failed',
      outage
        ? `Roblox is not answering right now, so Guildflow could not look up **${input.username}**. Nothing was changed: try /verify again in a few minutes.`
        : `Guildflow could not look up **${input.username}** on Roblox: ${failure.message} Nothing was changed; an admin was told.`,
    );
    if (!outage) await notifyAdmins('Verification failed', `Guildflow could not look up the Roblox account **${input.username}** for <@${input.userId}>:\n${failure.message}`, 'error');
    return result;
  }

  async function notifyAdmins(title: string, detail: string, outcome: 'error' | 'info' | 'warning'): Promise<void> {
    await tell('tell the admins', () => discord.verifyNotifyAdmins({ guildId: input.guildId, title, detail, flowId: workflowId, outcome }));
  }
}

/** Telling the member never changes the outcome. */
async function notifyMember(userId: string, reply: InteractionReply | null, view: VerifyView): Promise<void> {
  await tell('tell the member', () => discord.verifyNotifyMember({ userId, reply, view }));
}

// ─── /unverify ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Removes a member's link and what verification gave: the verified role off, the unverified role back, the
 * nickname Guildflow set back to the one it replaced (only while the member still has Guildflow's). The link
 * goes last, so a retried run finds it and finishes the job; a Discord refusal is reported, not hidden —
 * and so is Discord not answering when the member is read (`patched('unverify-member-read-failure-reported')`):
 * the link is removed all the same and the admins are told what is left to do by hand.
 */
export async function unverify(input: UnverifyInput): Promise<UnverifyResult> {
  const { workflowId } = workflowInfo();
  tagFlow('unverify', input.guildId, input.userId);
  const result: UnverifyResult = { status: 'not_linked', link: null, roleRemoved: false, unverifiedRoleGiven: false, nicknameRestored: false, problems: [] };
  const link = await db.verifyGetLink({ guildId: input.guildId, userId: input.userId });
  if (!link) return result;
  result.link = link;
  const settings = await db.verifyLoadSettings({ guildId: input.guildId });
  const who = { guildId: input.guildId, userId: input.userId };
  const reason = `Guildflow: Roblox ${link.robloxName} unlinked`;
  let member: Awaited<ReturnType<typeof discord.discordGetMember>>;
  try {
    member = await discord.discordGetMember(who);
  } catch (err) {
    // Runs recorded before this change failed the workflow here (the patch marker is only written on this path).
    if (isCancellation(err) || !patched(MEMBER_READ_FAILURE_REPORTED)) throw err;
    // Discord did not answer (or refused): the link still goes; the roles and nickname are left to the admins.
    member = null;
    result.problems.push(
      `Could not read <@${input.userId}> from Discord: ${failureOf(err, CANCELLED).message} The verified role, the unverified role and the nickname were left as they are: change them by hand.`,
    );
  }
  const attempt = async (what: string, run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (err) {
      result.problems.push(`Could not ${what}: ${failureOf(err, CANCELLED).message}`);
      return false;
    }
  };
  if (member) {
    if (settings.verifiedRoleId && member.roles.includes(settings.verifiedRoleId)) {
      const roleId = settings.verifiedRoleId;
      result.roleRemoved = await attempt('take the verified role', () => discord.discordRemoveRole({ ...who, roleId, reason }));
    }
    if (settings.unverifiedRoleId && !member.roles.includes(settings.unverifiedRoleId)) {
      const roleId = settings.unverifiedRoleId;
      result.unverifiedRoleGiven = await attempt('give the unverified role', () => discord.discordAddRole({ ...who, roleId, reason }));
    }
    if (link.nicknameSet && member.nick === link.nicknameSet) {
      result.nicknameRestored = await attempt('restore the nickname', () => discord.discordSetNickname({ ...who, nick: link.nicknameBefore, reason }));
    }
  }
  await mustHappen.verifyDeleteLink({ ...who, runId: link.runId, actorId: input.actorId });
  result.status = 'removed';
  if (result.problems.length) {
    await tell('tell the admins', () =>
      discord.verifyNotifyAdmins({
        guildId: input.guildId,
        title: 'Unverify incomplete',
        detail: `The link of <@${input.userId}> to **${link.robloxName}** was removed, but:\n${result.problems.join('\n')}`,
        flowId: workflowId,
        outcome: 'warning',
      }),
    );
  }
  return result;
}

