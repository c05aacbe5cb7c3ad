import { Readable } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import {
  addTicketType,
  editTicketType,
  getTicketSettings,
  listTicketTypes,
  removeTicketType,
  requireTicket,
  requireTicketType,
  ticketSettingsSchema,
  ticketStats,
  ticketToJson,
  ticketTypePatchSchema,
  transcriptChunks,
  TranscriptReplaced,
  updateTicketSettings,
} from '../../activities/tickets';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { closeTicket, ticketFlowStatus } from '../../lib/flows/tickets.client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';

const listQuery = z.object({
  status: z.enum(['opening', 'open', 'closing', 'closed', 'deleted', 'failed']).optional(),
  member: snowflake.optional(),
  type: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
const transcriptQuery = z.object({ format: z.enum(['html', 'json']).default('html') });
const statsQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });
const closeBody = z.object({ reason: z.string().trim().max(500).nullable().default(null) }).strict();

type State = AuthState & { log: Logger };

/**
 * Tickets for the dashboard: the types (admins change them; audited; category and staff roles must be
 * the guild's), the settings, the tickets (newest first, cursor paged), one ticket with its flow's
 * status, a staff close (the same `close` update the bot sends), and the statistics. Reading is for mods
 * and the Manage tickets grant.
 */
export function ticketRoutes({ prisma, temporal, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/tickets' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const staff = requireGuildToken(prisma, 'mod', 'manage_tickets');
  const admin = requireGuildToken(prisma, 'admin');
  const checkIds = async (guildId: string, body: unknown) => {
    const ids = ticketTypePatchSchema.safeParse(body).data;
    await requireInGuild(guildDirectory, guildId, { channels: { categoryId: ids?.categoryId }, roles: { staffRoleIds: ids?.staffRoleIds } });
  };

  router.get('/types', staff, async (ctx) => {
    ctx.body = { items: await listTicketTypes(prisma, guildOf(ctx)) };
  });
  router.post('/types', admin, async (ctx) => {
    const body = await readJsonBody(ctx);
    await checkIds(guildOf(ctx), body);
    ctx.status = 201;
    ctx.body = await addTicketType(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
  });
  router.get('/types/:typeId', staff, async (ctx) => {
    ctx.body = await requireTicketType(prisma, guildOf(ctx), ctx.params.typeId!);
  });
  router.patch('/types/:typeId', admin, async (ctx) => {
    const body = await readJsonBody(ctx);
    await checkIds(guildOf(ctx), body);
    ctx.body = await editTicketType(prisma, guildOf(ctx), ctx.params.typeId!, body, tokenAuditActor(ctx.state.auth));
  });
  router.delete('/types/:typeId', admin, async (ctx) => {
    ctx.body = await removeTicketType(prisma, guildOf(ctx), ctx.params.typeId!, tokenAuditActor(ctx.state.auth));
  });

  router.get('/settings', staff, async (ctx) => {
    ctx.body = await getTicketSettings(prisma, guildOf(ctx));
  });
  router.patch('/settings', admin, async (ctx) => {
    const body = await readJsonBody(ctx);
    const ids = ticketSettingsSchema.safeParse(body).data;
    await requireInGuild(guildDirectory, guildOf(ctx), { channels: { transcriptChannelId: ids?.transcriptChannelId } });
    ctx.body = await updateTicketSettings(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
  });

  router.get('/', staff, async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const rows = await prisma.ticket.findMany({
      where: { guildId: guildOf(ctx), ...(q.status ? { status: q.status } : {}), ...(q.member ? { openerId: q.member } : {}), ...(q.type ? { typeId: q.type } : {}), ...afterCursor(q.cursor) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    ctx.body = pageOf(rows, q.limit, ticketToJson);
  });

  router.get('/stats', staff, async (ctx) => {
    ctx.body = await ticketStats(prisma, guildOf(ctx), statsQuery.parse(ctx.query).days);
  });

  router.get('/:ticketId', staff, async (ctx) => {
    const { type: _type, ...ticket } = await requireTicket(prisma, guildOf(ctx), ctx.params.ticketId!);
    ctx.body = { ...ticketToJson(ticket), workflow: await ticketFlowStatus(temporal, ticket.guildId, ticket.id) };
  });

  /** The saved transcript, streamed chunk by chunk from the database (it may be larger than memory should hold). */
  router.get('/:ticketId/transcript', staff, async (ctx) => {
    const ticket = await requireTicket(prisma, guildOf(ctx), ctx.params.ticketId!);
    const { format } = transcriptQuery.parse(ctx.query);
    // A rebuild (a reopened ticket closed again) swapping in before the first chunk: read the new one.
    const start = async () => {
      const chunks = transcriptChunks(prisma, ticket.guildId, ticket.id, format)[Symbol.asyncIterator]();
      return { chunks, first: await chunks.next() };
    };
    const { chunks, first } = await start().catch((err: unknown) => {
      if (err instanceof TranscriptReplaced) return start();
      throw err;
    });
    if (first.done) throw new NotFoundError(`Ticket ${ticket.id} has no transcript yet: one is saved when it closes.`);
    ctx.type = format === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
    ctx.set('content-disposition', `attachment; filename="transcript-${ticket.id}.${format}"`);
    ctx.body = Readable.from(
      (async function* () {
        yield first.value;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      })(),
    );
  });

  /** A staff close through the API: the token's level is checked here, the flow checks the guild and the ticket's state. */
  router.post('/:ticketId/close', staff, async (ctx) => {
    const guildId = guildOf(ctx);
    const ticket = await requireTicket(prisma, guildId, ctx.params.ticketId!);
    const { reason } = closeBody.parse(ctx.is('application/json') ? await readJsonBody(ctx) : {});
    const auth = ctx.state.auth;
    ctx.body = await closeTicket(temporal, ticket.id, { guildId, userId: auth.ownerUserId, level: auth.level, staff: true }, reason);
  });

  return router;
}
