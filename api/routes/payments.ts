import type Router from '@koa/router';
import { z } from 'zod';
import { paymentToJson } from '../../activities/payments';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { TOPUP_STATUSES } from '../../lib/flows/payments';
import { readTopupStatus } from '../../lib/flows/payments.client';
import type { Prisma } from '../../prisma/client';
import type { RouteDeps } from '../deps';
import { afterCursor, cursorOrBefore, pageWithNext } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { decimalString, flowStatus, isoDate, nextCursor } from '../openapi/schemas';

const listQuery = z.object({
  status: z.enum(TOPUP_STATUSES).optional(),
  userId: snowflake.optional(),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the `next` of the previous page; use `cursor`. */
  before: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

/** activities/payments paymentToJson: the whole row, amounts as decimal strings. */
const topupJson = z
  .object({
    id: z.string(),
    guildId: z.string(),
    userId: z.string(),
    provider: z.string(),
    amount: decimalString,
    currency: z.string(),
    credit: decimalString,
    assetCode: z.string(),
    status: z.string(),
    providerStatus: z.string().nullable(),
    providerTransactionId: z.string().nullable(),
    qrUrl: z.string().nullable(),
    qrString: z.string().nullable(),
    expiresAt: isoDate.nullable(),
    settledAt: isoDate.nullable(),
    creditedAt: isoDate.nullable(),
    failureReason: z.string().nullable(),
    requestKey: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Topup' });
const TAG = 'payments';

/** Top-ups for the dashboard (mods): newest first with filters, and one with its workflow's status. */
export function paymentRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal } = deps;
  return routerOf('/api/guilds/:guildId/payments', deps, [
    route({
      method: 'get',
      path: '/topups',
      summary: 'Top-ups, newest first, with filters.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: listQuery,
      responses: { 200: { description: 'A page of top-ups.', schema: z.object({ items: z.array(topupJson), nextCursor, next: z.string().nullable().meta({ deprecated: true }) }) } },
      handler: async (ctx, { query: q }) => {
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
      },
    }),
    route({
      method: 'get',
      path: '/topups/:paymentId',
      summary: "One top-up, the gateway's notifications and its flow's status.",
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      params: z.object({ paymentId: z.string().min(1).max(64) }),
      responses: {
        200: {
          description: 'The top-up.',
          schema: topupJson.extend({
            notifications: z.array(z.object({ transactionStatus: z.string(), statusCode: z.string(), fraudStatus: z.string().nullable(), receivedAt: isoDate, signalledAt: isoDate.nullable() })),
            workflow: flowStatus,
          }),
        },
      },
      handler: async (ctx, { params: { paymentId: id } }) => {
        const p = await prisma.payment.findFirst({ where: { id, guildId: ctx.params.guildId! } });
        if (!p) throw new NotFoundError(`There is no top-up ${id} in this guild.`);
        const notifications = await prisma.paymentNotification.findMany({
          where: { orderId: p.id },
          orderBy: { id: 'asc' },
          select: { transactionStatus: true, statusCode: true, fraudStatus: true, receivedAt: true, signalledAt: true },
        });
        ctx.body = { ...paymentToJson(p), notifications, workflow: await readTopupStatus(temporal, p.id) };
      },
    }),
  ]);
}
