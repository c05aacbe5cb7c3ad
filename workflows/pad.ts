import { ApplicationFailure, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { atLeast } from '../lib/permissions';
import {
  endPadUpdate,
  PAD_FAILURES,
  PAD_REFUSALS,
  padFlow,
  padStatusQuery,
  type PadEndReason,
  type PadSessionInput,
  type PadSessionState,
} from '../lib/flows/pads';
import { activityProfiles } from './activity-options';
import { nowMs, showDetails, tagFlow, tell } from './common';

/**
 * A training or tryout on a pad, workflow id `pad:{guild}:{pad}`: the id is the booking (a second start
 * while it runs is refused), so there is no compensation to make. Records the session, announces it in
 * the sessions channel with an End button, then waits for the `end` update (the host, or an admin; the
 * validator checks both, the guild included) or the maximum duration (from the input), reminding the
 * host `reminderLeadSeconds` before it. The end is recorded whatever Discord does; the announcement is
 * then edited to say how long it ran and who or what ended it. Telling people never fails the flow.
 */
const profiles = activityProfiles(PAD_REFUSALS);
/** The session's row must be written: retried until the database answers. */
const mustHappen = proxyActivities<Activities>(profiles.mustHappen);
const discord = proxyActivities<Activities>(profiles.discord);

export async function padSession(input: PadSessionInput): Promise<PadSessionState> {
  tagFlow(padFlow.kind, input.guildId, input.hostId);
  const { workflowId, runId } = workflowInfo();
  const started = nowMs();
  const endsAt = started + input.maxSeconds * 1000;
  const state: PadSessionState = {
    pad: input.pad,
    type: input.type,
    hostId: input.hostId,
    description: input.description,
    status: 'running',
    startedAt: new Date(started).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    endedAt: null,
    endedBy: null,
    endReason: null,
  };
  const what = `${input.type} on pad ${input.pad} hosted by <@${input.hostId}>`;
  showDetails(`running · ${what}`, `ends by ${state.endsAt}`);

  /** Set once, by the first `end` the validator lets through. */
  const decided: { end: { endedBy: string | null; endReason: PadEndReason } | null } = { end: null };
  const ended = () => decided.end !== null;
  setHandler(padStatusQuery, () => ({ ...state }));
  setHandler(
    endPadUpdate,
    (request) => {
      decided.end = { endedBy: request.userId, endReason: request.userId === input.hostId ? 'host' : 'admin' };
      return decided.end;
    },
    {
      validator: (request) => {
        const refuse = (message: string) => {
          throw ApplicationFailure.nonRetryable(message, PAD_FAILURES.refused);
        };
        // A pad number in a button or a URL says nothing about the server: only this guild's people count.
        if (request.guildId !== input.guildId) refuse('This session belongs to another server.');
        if (ended() || state.status === 'ended') refuse(`This session has already ended.`);
        if (request.userId !== input.hostId && !atLeast(request.level, 'admin')) refuse(`Only the host <@${input.hostId}> or an admin can end this session.`);
      },
    },
  );

  const session = { sessionId: runId, workflowId, guildId: input.guildId };
  await mustHappen.padRecordStart({ ...session, pad: input.pad, type: input.type, hostId: input.hostId, description: input.description, startedAt: state.startedAt, endsAt: state.endsAt });
  await tell('announce the session', () => discord.padAnnounce(session));

  const remindAt = endsAt - input.reminderLeadSeconds * 1000;
  if (input.reminderLeadSeconds > 0 && remindAt > started) {
    if (!(await condition(ended, remindAt - nowMs()))) {
      await tell('remind the host', () => discord.padRemind({ ...session, endsAt: state.endsAt }));
    }
  }
  const remaining = endsAt - nowMs();
  if (remaining > 0) await condition(ended, remaining);
  const end = decided.end ?? { endedBy: null, endReason: 'max_duration' as const };

  state.status = 'ended';
  state.endedAt = new Date(nowMs()).toISOString();
  state.endedBy = end.endedBy;
  state.endReason = end.endReason;
  showDetails(`ended · ${what}`, `${end.endReason}${end.endedBy ? ` by <@${end.endedBy}>` : ''}`);
  await mustHappen.padRecordEnd({ sessionId: runId, endedAt: state.endedAt, endedBy: end.endedBy, endReason: end.endReason });
  await tell('show the session ended', () => discord.padAnnounceEnded(session));
  return { ...state };
}
