/**
 * `npm run playground -- scripts/playground-examples/announcement.ts`: a scheduled announcement. The admin
 * previews it and schedules it a few seconds ahead through the API; its flow waits for the time, posts it in
 * #general and hands the message to the sync flow that keeps it in step with later edits.
 */
import { announcementFlowId } from '../../lib/flows/announcements';
import { syncFlowId } from '../../lib/flows/sync';
import { waitFor } from '../../lib/wait';
import type { Playground } from '../playground-stack';
import { transcript } from './transcript';

const AHEAD_MS = 5_000;

export default async function announcement(playground: Playground): Promise<{ workflowIds: string[]; syncWorkflowId: string; announcementId: string; messageId: string }> {
  const { discord, demo, prisma } = playground;
  const { channels } = demo;
  const { say, show, flow, api } = transcript(playground);
  const draft = { channelId: channels.general, title: 'Game night on Friday', body: 'Join us in the lobby at 20:00 UTC: prizes for the top three builders.', colour: '#F1C40F' };

  say('> Admin (API): POST /announcements/preview — what #general will show');
  const preview = await api<{ message: Parameters<typeof show>[0] }>('POST', '/announcements/preview', draft);
  show(preview.message);

  const sendAt = new Date(Date.now() + AHEAD_MS);
  say(`> Admin (API): POST /announcements — the same, sendAt ${sendAt.toISOString()} (in ${AHEAD_MS / 1000} s)`);
  const created = await api<{ id: string; status: string }>('POST', '/announcements', { ...draft, sendAt: sendAt.toISOString() });
  say(`(Stored as ${created.id}, ${created.status}: its flow sleeps until the send time.)`);
  flow(announcementFlowId(created.id));

  const posted = await discord.waitFor(() => discord.messages(channels.general).find((m) => m.embeds[0]?.title === draft.title), 60_000, 'the announcement in #general');
  const late = posted.at - sendAt.getTime();
  say(`Posted in #general ${late >= 0 ? `${late} ms after` : `${-late} ms before`} its send time:`);
  show(posted);
  await waitFor(async () => (await prisma.announcement.findUnique({ where: { id: created.id } }))?.status === 'sent', { timeoutMs: 30_000, what: 'the announcement to be sent' });
  say('(Its row is now sent; the sync flow keeps the message: a later edit or a deleted message is its job.)');
  const syncWorkflowId = syncFlowId('announcement', created.id);
  flow(syncWorkflowId);
  return { workflowIds: [announcementFlowId(created.id)], syncWorkflowId, announcementId: created.id, messageId: posted.id };
}
