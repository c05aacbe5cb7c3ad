import { Context } from '@temporalio/activity';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import type { SyncSettings } from '../../workflows/sync';
import { signalSync } from '../sync/client';

/**
 * The announcement flow's one side effect: at its send time, move the row from scheduled to sent (the
 * database decides against a concurrent cancel) and hand the message to `sync:announcement:{id}`
 * (signal-with-start through the worker's own Temporal client), which posts, pins and keeps it.
 * Idempotent: a retry finds the row sent and signals again (a duplicate signal is one coalesced render).
 */
export function createAnnouncementActivities({ prisma, log }: { prisma: PrismaClient; log: Logger }) {
  const alog = log.child({ component: 'announcements' });
  return {
    async announcementSend(input: { announcementId: string; sync: SyncSettings }): Promise<{ sent: boolean; status: string }> {
      await prisma.announcement.updateMany({ where: { id: input.announcementId, status: 'scheduled' }, data: { status: 'sent', sentAt: new Date() } });
      const a = await prisma.announcement.findUniqueOrThrow({ where: { id: input.announcementId } });
      if (a.status !== 'sent') {
        alog.info({ announcementId: a.id, status: a.status }, 'announcement not sent');
        return { sent: false, status: a.status };
      }
      const ctx = Context.current();
      await signalSync(ctx.client, ctx.info.taskQueue, { entityType: 'announcement', entityId: a.id, guildId: a.guildId }, { settings: input.sync });
      alog.info({ announcementId: a.id }, 'announcement handed to its sync flow');
      return { sent: true, status: a.status };
    },
  };
}
