import Router from '@koa/router';
import { z } from 'zod';
import { paymentToJson } from '../../activities/payments';
import { NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { Prisma } from '../../prisma/client';
import { topupStatusQuery, topupWorkflowId } from '../../workflows/topup';
import { requireGuildToken, type AuthState } from '../auth';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const TOPUP_STATUSES = ['created', 'pending', 'settled', 'expired', 'denied', 'cancelled', 'failed'] as const;
const listQuery = z.object({
  status: z.enum(TOPUP_STATUSES).optional(),
  userId: snowflake.optional(),
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
    const before = q.before ? await prisma.payment.findFirst({ where: { id: q.before, guildId } }) : null;
    if (q.before && !before) throw new NotFoundError(`before: there is no payment ${q.before} in this guild.`);
    const where: Prisma.PaymentWhereInput = {
      guildId,
      ...(q.status ? { status: q.status } : {}),
      ...(q.userId ? { userId: q.userId } : {}),
      ...(before ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] } : {}),
    };
    const rows = await prisma.payment.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    ctx.body = { items: page.map(paymentToJson), next: rows.length > q.limit ? page[page.length - 1]!.id : null };
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
    let workflow: unknown = { workflowId: topupWorkflowId(p.id), status: 'UNAVAILABLE' };
    if (temporal) {
      try {
        const h = temporal.workflow.getHandle(topupWorkflowId(p.id));
        const d = await h.describe();
        workflow = { workflowId: h.workflowId, status: d.status.name, state: d.status.name === 'RUNNING' ? await h.query(topupStatusQuery) : null };
      } catch (err) {
        ctx.state.log.info({ err: (err as Error).message, paymentId: p.id }, 'top-up workflow not readable');
        workflow = { workflowId: topupWorkflowId(p.id), status: 'UNKNOWN' };
      }
    }
    ctx.body = { ...paymentToJson(p), notifications, workflow };
  });

  return router;
}
