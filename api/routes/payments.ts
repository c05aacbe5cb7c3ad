import Router from '@koa/router';
import { z } from 'zod';
import { paymentToJson } from '../../activities/payments';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { TOPUP_STATUSES } from '../../lib/flows/payments';
import { readTopupStatus } from '../../lib/flows/payments.client';
import type { Logger } from '../../lib/logger';
import type { Prisma } from '../../prisma/client';
import { requireGuildToken, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';
import { afterCursor, cursorOrBefore, pageWithNext } from '../pagination';

const listQuery = z.object({
  status: z.enum(TOPUP_STATUSES).optional(),
  userId: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the `next` of the previous page; use `cursor`. */
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

type State = AuthState & { log: Logger };

/** Top-ups for the dashboard (mods): newest first with filters, and one with its workflow's status. */
export function paymentRoutes({ prisma, temporal }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/payments' });

  router.get('/topups', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const guildId = ctx.params.guildId!;
    const cursor = await cursorOrBefore(q, 'payment', (id) => prisma.payment.findFirst({ where: { id, guildId } }));
    const where: Prisma.PaymentWhereInput = {
      guildId,
      ...(q.status ? { status: q.status } : {}),
      ...(q.userId ? { userId: q.userId } : {}),
      ...afterCursor(cursor),
    };
    const rows = await prisma.payment.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    ctx.body = pageWithNext(rows, q.limit, paymentToJson);
  });

  router.get('/topups/:paymentId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const id = z.string().min(1).max(64).parse(ctx.params.paymentId);
    const p = await prisma.payment.findFirst({ where: { id, guildId: ctx.params.guildId! } });
    if (!p) throw new NotFoundError(`There is no top-up ${id} in this guild.`);
    const notifications = await prisma.paymentNotification.findMany({
      where: { orderId: p.id },
      orderBy: { id: 'asc' },
      select: { transactionStatus: true, statusCode: true, fraudStatus: true, receivedAt: true, signalledAt: true },
    });
    ctx.body = { ...paymentToJson(p), notifications, workflow: await readTopupStatus(temporal, p.id) };
  });

  return router;
}
