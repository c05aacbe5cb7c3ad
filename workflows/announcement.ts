import { condition, defineQuery, defineSignal, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FlowKind, GuildId } from '../lib/search-attributes';
import type { SyncSettings } from './sync';

/**
 * An announcement, workflow id `announcement:{id}`: wait for its send time (a Temporal timer; `changed`
 * moves it, `cancel` ends the wait), then `announcementSend` marks it sent — only if the row is still
 * scheduled, so a cancel that won the race in the database is respected — and hands it to
 * `sync:announcement:{id}`, which posts (and pins) the message and keeps it up to date after that.
 * The send time comes from the input and signals: tests schedule seconds ahead.
 */

export interface AnnouncementInput {
  announcementId: string;
  guildId: string;
  /** ISO time; null = now. */
  sendAt: string | null;
  /** Timings of the message's sync flow. */
  sync: SyncSettings;
}

export type AnnouncementFlowStatus = 'scheduled' | 'sent' | 'cancelled';

export interface AnnouncementFlowState {
  announcementId: string;
  status: AnnouncementFlowStatus;
  sendAt: string | null;
}

export const announcementChangedSignal = defineSignal<[{ sendAt: string | null }]>('changed');
export const announcementCancelSignal = defineSignal('cancel');
export const announcementStatusQuery = defineQuery<AnnouncementFlowState>('status');

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function announcement(input: AnnouncementInput): Promise<AnnouncementFlowState> {
  upsertSearchAttributes([
    { key: GuildId, value: input.guildId },
    { key: FlowKind, value: 'announcement' },
  ]);
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
    setCurrentDetails(`**${state.status}** · announcement ${input.announcementId}\nsend at ${state.sendAt ?? 'now'}`);
    const wait = state.sendAt ? Date.parse(state.sendAt) - new Date().getTime() : 0;
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
    if (state.sendAt && Date.parse(state.sendAt) > new Date().getTime()) continue;
    const result = await acts.announcementSend({ announcementId: input.announcementId, sync: input.sync });
    state.status = result.sent ? 'sent' : 'cancelled';
    break;
  }
  setCurrentDetails(`**${state.status}** · announcement ${input.announcementId}`);
  return { ...state };
}
