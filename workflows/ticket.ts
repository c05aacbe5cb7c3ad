import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { atLeast } from '../lib/permissions';
import {
  claimTicketUpdate,
  closeTicketUpdate,
  INACTIVITY_REASON,
  renameTicketUpdate,
  reopenTicketUpdate,
  TICKET_FAILURES,
  TICKET_REFUSALS,
  ticketChannelDeletedSignal,
  ticketFlow,
  ticketMemberUpdate,
  ticketMessageSignal,
  ticketStatusQuery,
  type TicketActor,
  type TicketInput,
  type TicketState,
} from '../lib/flows/tickets';
import { activityProfiles } from './activity-options';
import { failureOf, nowMs, showDetails, tagFlow, tell } from './common';

/**
 * A support ticket, workflow id `ticket:{guild}:{ticketId}`: the id is the member's next ticket of a type,
 * so two opens at once are one ticket. Records the ticket, creates its private channel (a failure ends
 * the flow `failed`, the opener told), posts the answers and the controls, then waits: claim, members and
 * rename (updates, staff only, checked again here with the guild), messages (signal: each resets the
 * inactivity timer; `idleSeconds` of silence warns, `graceSeconds` more closes), close (update: staff or
 * the opener) and the channel deleted by hand (signal: recorded `deleted`, the flow ends). A close is
 * recorded, the opener told, and the channel deleted `closeDelaySeconds` later unless Reopen comes first.
 * Every duration comes from the input. Telling people never fails the flow.
 */
const profiles = activityProfiles(TICKET_REFUSALS);
/** The ticket's row must follow the flow: retried until the database answers. */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);
const discord = proxyActivities<Activities>(profiles.discord);

const refuse = (message: string): never => {
  throw ApplicationFailure.nonRetryable(message, TICKET_FAILURES.refused);
};

export async function ticket(input: TicketInput): Promise<TicketState> {
  tagFlow(ticketFlow.kind, input.guildId, input.openerId);
  const { workflowId } = workflowInfo();
  const ref = { ticketId: input.ticketId };
  const state: TicketState = { ticketId: input.ticketId, status: 'opening', channelId: null, claimedBy: null, closedBy: null, closeReason: null, deletesAt: null, warned: false };
  const what = `ticket #${input.number} of <@${input.openerId}>`;
  showDetails(`opening · ${what}`);

  const seen = { messages: 0, firstResponseAt: null as string | null, firstResponseRecorded: false, deleted: false };
  const decided: { close: { closedBy: string | null; reason: string | null } | null; reopenedBy: string | null } = { close: null, reopenedBy: null };
  /** Numbers repeated steps (claims, closes, warnings) so each posts its own message once. */
  let step = 0;
  const nextStep = (name: string) => `${name}:${++step}`;

  setHandler(ticketStatusQuery, () => ({ ...state }));
  setHandler(ticketMessageSignal, ({ authorId }) => {
    seen.messages++;
    if (authorId !== input.openerId && !seen.firstResponseAt) seen.firstResponseAt = new Date(nowMs()).toISOString();
  });
  setHandler(ticketChannelDeletedSignal, () => {
    seen.deleted = true;
  });

  /** The checks every update makes: this guild, the ticket open, staff (or the opener when `openerToo`). */
  const check = (actor: TicketActor, openerToo: boolean) => {
    // A ticket id in a button or a URL says nothing about the server: only this guild's people count.
    if (actor.guildId !== input.guildId) refuse('This ticket belongs to another server.');
    if (!actor.staff && !(openerToo && actor.userId === input.openerId)) refuse(openerToo ? 'Only the ticket’s staff or the member who opened it can do this.' : 'Only the ticket’s staff can do this.');
  };
  const mustBeOpen = () => {
    if (state.status !== 'open' || decided.close) refuse(state.status === 'opening' ? 'The ticket is still being opened.' : 'This ticket is closed.');
  };

  setHandler(
    claimTicketUpdate,
    async (actor) => {
      state.claimedBy = actor.userId!;
      await tell('record the claim', () => discord.ticketRecordClaim({ ...ref, claimedBy: actor.userId!, step: nextStep('claim') }));
      return { claimedBy: actor.userId! };
    },
    {
      validator: (actor) => {
        check(actor, false);
        mustBeOpen();
        if (!actor.userId) refuse('A ticket is claimed by a member, not an API token.');
        if (state.claimedBy === actor.userId) refuse('You have already claimed this ticket.');
        // One claimer; an admin may take it over.
        if (state.claimedBy && !atLeast(actor.level, 'admin')) refuse(`<@${state.claimedBy}> has already claimed this ticket.`);
      },
    },
  );
  setHandler(
    ticketMemberUpdate,
    async (_actor, change) => {
      await discord.ticketChangeMember({ ...ref, ...change, step: nextStep(change.action) });
      return { done: true as const };
    },
    {
      validator: (actor, change) => {
        check(actor, change.action === 'add');
        mustBeOpen();
        if (change.memberId === input.openerId) refuse('The member who opened the ticket always sees it.');
      },
    },
  );
  setHandler(renameTicketUpdate, async (_actor, name) => discord.ticketRename({ ...ref, name }), {
    validator: (actor, _name) => {
      check(actor, false);
      mustBeOpen();
    },
  });
  setHandler(
    closeTicketUpdate,
    (actor, reason) => {
      decided.close = { closedBy: actor.userId, reason };
      return { closing: true as const };
    },
    {
      validator: (actor, _reason) => {
        check(actor, true);
        mustBeOpen();
      },
    },
  );
  setHandler(
    reopenTicketUpdate,
    (actor) => {
      decided.reopenedBy = actor.userId ?? 'api';
      return { reopened: true as const };
    },
    {
      validator: (actor) => {
        check(actor, true);
        if (state.status !== 'closing' || decided.reopenedBy) refuse('This ticket is not waiting to be deleted.');
      },
    },
  );

  await mustHappen.ticketRecordOpen({ ...ref, workflowId, guildId: input.guildId, typeId: input.typeId, openerId: input.openerId, number: input.number, answers: input.answers, openedAt: new Date(nowMs()).toISOString() });
  try {
    state.channelId = (await discord.ticketCreateChannel(ref)).channelId;
  } catch (err) {
    // Discord refused or stayed away: the ticket fails, the opener is told what happened.
    const failure = failureOf(err);
    state.status = 'failed';
    showDetails(`failed · ${what}`, failure.message);
    await mustHappen.ticketRecordEnd({ ...ref, status: 'failed', why: failure.message });
    if (input.reply) await tell('tell the opener', () => discord.discordEditOriginal({ reply: input.reply!, message: { content: `Your ticket could not be opened: ${failure.message}` } }));
    return { ...state };
  }
  // Open before its controls are posted: a Close pressed the moment they appear is accepted.
  state.status = 'open';
  await tell('post the opening message', () => discord.ticketPostOpened(ref));
  showDetails(`open · ${what}`, `<#${state.channelId}>`);
  if (input.reply) await tell('tell the opener', () => discord.discordEditOriginal({ reply: input.reply!, message: { content: `Your ticket is open: <#${state.channelId}>` } }));

  for (;;) {
    await waitWhileOpen();
    if (seen.deleted) {
      // Deleted by hand: nothing is left to save but the row.
      state.status = 'deleted';
      showDetails(`deleted · ${what}`, 'the channel was deleted by hand');
      await mustHappen.ticketRecordEnd({ ...ref, status: 'deleted' });
      break;
    }
    const close = decided.close!;
    state.status = 'closing';
    state.closedBy = close.closedBy;
    state.closeReason = close.reason;
    const deletesAt = nowMs() + input.closeDelaySeconds * 1000;
    state.deletesAt = new Date(deletesAt).toISOString();
    showDetails(`closing · ${what}`, `deleted at ${state.deletesAt}`);
    await mustHappen.ticketRecordClose({ ...ref, closedBy: close.closedBy, reason: close.reason, closedAt: new Date(nowMs()).toISOString() });
    // The transcript is saved and posted before anything can be deleted; if that fails the channel stays.
    try {
      await discord.ticketSaveTranscript(ref);
      await discord.ticketPostTranscript({ ...ref, step: nextStep('transcript') });
    } catch (err) {
      const failure = failureOf(err);
      state.status = 'closed';
      state.deletesAt = null;
      showDetails(`closed · ${what}`, `channel kept: ${failure.message}`);
      await mustHappen.ticketRecordEnd({ ...ref, status: 'closed', why: `transcript not posted: ${failure.message}` });
      await tell('tell the admins', () =>
        discord.discordPostAdminLog({ guildId: input.guildId, message: { content: `Ticket ${input.ticketId} is closed, but its transcript could not be posted: ${failure.message} Its channel <#${state.channelId}> is kept; save what you need, then delete it by hand.` } }),
      );
      break;
    }
    await tell('say the ticket closed', () => discord.ticketPostClosing({ ...ref, deletesAt: state.deletesAt!, step: nextStep('closing') }));
    await tell('tell the opener', () => discord.ticketTellOpenerClosed(ref));

    await condition(() => decided.reopenedBy !== null || seen.deleted, Math.max(0, deletesAt - nowMs()));
    if (decided.reopenedBy && !seen.deleted) {
      const by = decided.reopenedBy;
      Object.assign(decided, { close: null, reopenedBy: null });
      Object.assign(state, { status: 'open', closedBy: null, closeReason: null, deletesAt: null, warned: false });
      showDetails(`open · ${what}`, `reopened by <@${by}>`);
      await mustHappen.ticketRecordReopen({ ...ref, by, step: nextStep('reopen') });
      continue;
    }
    await discord.ticketDeleteChannel(ref).catch(async (err: unknown) => {
      // The channel stays (Discord refused): recorded closed, the admins told where it is.
      await mustHappen.ticketRecordEnd({ ...ref, status: 'closed', why: failureOf(err).message });
      await tell('tell the admins', () => discord.discordPostAdminLog({ guildId: input.guildId, message: { content: `Ticket ${input.ticketId} is closed but its channel <#${state.channelId}> could not be deleted: ${failureOf(err).message}` } }));
    });
    state.status = 'closed';
    state.deletesAt = null;
    showDetails(`closed · ${what}`, close.closedBy ? `by <@${close.closedBy}>` : 'inactivity');
    break;
  }
  await condition(allHandlersFinished);
  return { ...state };

  /** Until a close or the channel's deletion: each message restarts the idle timer; silence warns, then closes. */
  async function waitWhileOpen(): Promise<void> {
    state.warned = false;
    while (!decided.close && !seen.deleted) {
      const before = seen.messages;
      const wait = (state.warned ? input.graceSeconds : input.idleSeconds) * 1000;
      const woke = await condition(() => decided.close !== null || seen.deleted || seen.messages !== before, wait);
      if (seen.firstResponseAt && !seen.firstResponseRecorded) {
        seen.firstResponseRecorded = true;
        await mustHappen.ticketRecordFirstResponse({ ...ref, at: seen.firstResponseAt });
      }
      if (decided.close || seen.deleted) return;
      if (woke) {
        state.warned = false;
      } else if (!state.warned) {
        state.warned = true;
        await tell('warn that the ticket is idle', () => discord.ticketWarnIdle({ ...ref, closesAt: new Date(nowMs() + input.graceSeconds * 1000).toISOString(), step: nextStep('idle') }));
      } else {
        decided.close = { closedBy: null, reason: INACTIVITY_REASON };
      }
    }
  }
}
