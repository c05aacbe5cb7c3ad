import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineFlow, INPUT_FAILURES } from './flow';
import type { SyncSettings } from './sync';

/**
 * An announcement's public face: `announcement:{id}` waits for the send time, then hands the message to
 * its sync flow `sync:announcement:{id}` (workflows/announcement.ts).
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

export const announcementFlowId = (announcementId: string): string => `announcement:${announcementId}`;

export const announcementFlow = defineFlow({ type: 'announcement', kind: 'announcement', id: announcementFlowId });

/** Announcement refusals (activities/announcements/errors.ts raises them). */
export const ANNOUNCEMENT_FAILURES = {
  state: 'AnnouncementState',
} as const;

/** The one list of the announcement flow's non-retryable failure types. */
export const ANNOUNCEMENT_REFUSALS: readonly string[] = [...Object.values(ANNOUNCEMENT_FAILURES), ...INPUT_FAILURES];
