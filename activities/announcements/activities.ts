import { Context } from '@temporalio/activity';
import type { SyncSettings } from '../../lib/flows/sync';
import { signalSync } from '../../lib/flows/sync.client';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';

/**
 * The announcement flow's one side effect: at its send time, move the row from scheduled to sent (the
 * database decides against a concurrent cancel) and hand the message to `sync:announcement:{id}`
 * (signal-with-start through the worker's own Temporal client), which posts, pins and keeps it.
 * Idempotent: a retry finds the row sent and signals again (a duplicate signal is one coalesced render).
 */
export function createAnnouncementActivities({ prisma, log }: FeatureDeps) {
  const alog = log.child({ component: 'announcements' });
  return defineActivities(log, 'announcements', {
    async announcementSend(input: { announcementId: string; sync: SyncSettings }): Promise<{ sent: boolean; status: string }> {
      await prisma.announcement.updateMany({ where: { id: input.announcementId, status: 'scheduled' }, data: { status: 'sent', sentAt: new Date() } });
      const a = await prisma.announcement.findUniqueOrThrow({ where: { id: input.announcementId } });
      if (a.status !== 'sent') {
        alog.info({ announcementId: a.id, status: a.status }, 'announcement not sent');
        return { sent: false, status: a.status };
      }
      const ctx = Context.current();
      await signalSync({ temporal: ctx.client, taskQueue: ctx.info.taskQueue }, { entityType: 'announcement', entityId: a.id, guildId: a.guildId }, { settings: input.sync });
      alog.info({ announcementId: a.id }, 'announcement handed to its sync flow');
      return { sent: true, status: a.status };
    },
  });
}
