import type { Client } from '@temporalio/client';
import { announcementCancelSignal, announcementChangedSignal, announcementFlow, announcementFlowId, type AnnouncementInput } from './announcements';
import { signalFlow, startFlow, type FlowTarget } from './client';

/** Starts `announcement:{id}` once; a second start (a repeated Post) finds it running or done. */
export async function startAnnouncement(target: FlowTarget, input: AnnouncementInput): Promise<{ workflowId: string; started: boolean }> {
  return startFlow(target, announcementFlow, [input.announcementId], { guildId: input.guildId, summary: `Announcement ${input.announcementId}`, input });
}

/** A new send time for a scheduled announcement; `false` when its flow has ended (or never started: a draft). */
export async function changeAnnouncementTime(temporal: Client, announcementId: string, sendAt: string | null): Promise<boolean> {
  return signalFlow(temporal, announcementFlowId(announcementId), announcementChangedSignal, { sendAt });
}

/** Ends a scheduled announcement's wait; `false` when its flow has ended (or never started: a draft). */
export async function cancelAnnouncementFlow(temporal: Client, announcementId: string): Promise<boolean> {
  return signalFlow(temporal, announcementFlowId(announcementId), announcementCancelSignal);
}
