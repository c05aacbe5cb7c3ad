import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  ANNOUNCEMENT_REFUSALS,
  announcementCancelSignal,
  announcementChangedSignal,
  announcementFlow,
  announcementStatusQuery,
  type AnnouncementFlowState,
  type AnnouncementInput,
} from '../lib/flows/announcements';
import { activityProfiles } from './activity-options';
import { nowMs, showDetails, tagFlow } from './common';

/**
 * An announcement, workflow id `announcement:{id}`: wait for its send time (a Temporal timer; `changed`
 * moves it, `cancel` ends the wait), then `announcementSend` marks it sent — only if the row is still
 * scheduled, so a cancel that won the race in the database is respected — and hands it to
 * `sync:announcement:{id}`, which posts (and pins) the message and keeps it up to date after that.
 * The send time comes from the input and signals: tests schedule seconds ahead.
 */

/** Once the time has come the announcement must be sent: retried until the database answers. */
const acts = proxyActivities<Activities>(activityProfiles(ANNOUNCEMENT_REFUSALS).mustHappen);

export async function announcement(input: AnnouncementInput): Promise<AnnouncementFlowState> {
  tagFlow(announcementFlow.kind, input.guildId);
  const state: AnnouncementFlowState = { announcementId: input.announcementId, status: 'scheduled', sendAt: input.sendAt };
  let changed = false;
  let cancelled = false;
  setHandler(announcementChangedSignal, ({ sendAt }) => {
    state.sendAt = sendAt;
    changed = true;
  });
  setHandler(announcementCancelSignal, () => {
    cancelled = true;
  });
  setHandler(announcementStatusQuery, () => ({ ...state }));

  for (;;) {
    showDetails(`${state.status} · announcement ${input.announcementId}`, `send at ${state.sendAt ?? 'now'}`);
    const wait = state.sendAt ? Date.parse(state.sendAt) - nowMs() : 0;
    if (wait > 0 && !cancelled) {
      changed = false;
      await condition(() => changed || cancelled, wait);
    }
    if (cancelled) {
      state.status = 'cancelled';
      break;
    }
    if (changed) {
      changed = false;
      continue;
    }
    if (state.sendAt && Date.parse(state.sendAt) > nowMs()) continue;
    const result = await acts.announcementSend({ announcementId: input.announcementId, sync: input.sync });
    state.status = result.sent ? 'sent' : 'cancelled';
    break;
  }
  showDetails(`${state.status} · announcement ${input.announcementId}`);
  return { ...state };
}
