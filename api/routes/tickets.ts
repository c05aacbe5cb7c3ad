import { Readable } from 'node:stream';
import type Router from '@koa/router';
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
  ticketTypeSchema,
  transcriptChunks,
  TranscriptReplaced,
  updateTicketSettings,
} from '../../activities/tickets';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { closeTicket, ticketFlowStatus } from '../../lib/flows/tickets.client';
import { tokenAuditActor } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { afterCursor, pageOf } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { flowStatus, isoDate, json, nextCursor, row } from '../openapi/schemas';

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

const typeJson = row({
  id: z.string(),
  guildId: z.string(),
  name: z.string(),
  emoji: z.string().nullable(),
  categoryId: z.string().nullable(),
  staffRoleIds: z.array(z.string()),
  questions: json,
  openLimit: z.number().int(),
  welcome: z.string().nullable(),
  idleSeconds: z.number().int(),
  graceSeconds: z.number().int(),
  createdAt: isoDate,
}).meta({ id: 'TicketType' });
const ticketJson = row({
  id: z.string(),
  guildId: z.string(),
  typeId: z.string(),
  openerId: z.string(),
  number: z.number().int(),
  status: z.string(),
  channelId: z.string().nullable(),
  openedAt: isoDate,
  closedAt: isoDate.nullable(),
  closeReason: z.string().nullable(),
  rating: z.number().int().nullable(),
  workflowId: z.string(),
}).meta({ id: 'Ticket' });
const settingsJson = row({ guildId: z.string(), transcriptChannelId: z.string().nullable(), closeDelaySeconds: z.number().int(), createdAt: isoDate, updatedAt: isoDate }).meta({ id: 'TicketSettings' });
const statsJson = z.object({
  days: z.array(z.object({ day: z.string(), opened: z.number().int(), closed: z.number().int() })),
  medianFirstResponseSeconds: z.number().nullable(),
  medianResolutionSeconds: z.number().nullable(),
  ratings: z.object({ count: z.number().int(), average: z.number().nullable(), byStars: z.record(z.string(), z.number().int()) }),
});
const typeParams = z.object({ typeId: z.string().meta({ description: 'The type’s id or name.' }) });
const ticketParams = z.object({ ticketId: z.string() });
const TAG = 'tickets';
const staff = { kind: 'guild', level: 'mod', grant: 'manage_tickets' } as const;
const admin = { kind: 'guild', level: 'admin' } as const;

/**
 * Tickets for the dashboard: the types (admins change them; audited; category and staff roles must be
 * the guild's), the settings, the tickets (newest first, cursor paged), one ticket with its flow's
 * status, a staff close (the same `close` update the bot sends), and the statistics. Reading is for mods
 * and the Manage tickets grant.
 */
export function ticketRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, guildDirectory } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const checkIds = async (guildId: string, body: unknown) => {
    const ids = ticketTypePatchSchema.safeParse(body).data;
    await requireInGuild(guildDirectory, guildId, { channels: { categoryId: ids?.categoryId }, roles: { staffRoleIds: ids?.staffRoleIds } });
  };

  return routerOf('/api/guilds/:guildId/tickets', deps, [
    route({
      method: 'get',
      path: '/types',
      summary: 'Ticket types.',
      tag: TAG,
      access: staff,
      responses: { 200: { description: 'Every type.', schema: z.object({ items: z.array(typeJson) }) } },
      handler: async (ctx) => {
        ctx.body = { items: await listTicketTypes(prisma, guildOf(ctx)) };
      },
    }),
    route({
      method: 'post',
      path: '/types',
      summary: 'Adds a ticket type (audited).',
      tag: TAG,
      access: admin,
      jsonBody: ticketTypeSchema,
      responses: { 201: { description: 'The type.', schema: typeJson } },
      handler: async (ctx, { json: body }) => {
        await checkIds(guildOf(ctx), body);
        ctx.status = 201;
        ctx.body = await addTicketType(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'get',
      path: '/types/:typeId',
      summary: 'One ticket type, by id or name.',
      tag: TAG,
      access: staff,
      params: typeParams,
      responses: { 200: { description: 'The type.', schema: typeJson } },
      handler: async (ctx, { params: { typeId } }) => {
        ctx.body = await requireTicketType(prisma, guildOf(ctx), typeId);
      },
    }),
    route({
      method: 'patch',
      path: '/types/:typeId',
      summary: 'Edits a ticket type (audited).',
      tag: TAG,
      access: admin,
      params: typeParams,
      jsonBody: ticketTypePatchSchema,
      responses: { 200: { description: 'The type now.', schema: typeJson } },
      handler: async (ctx, { params: { typeId }, json: body }) => {
        await checkIds(guildOf(ctx), body);
        ctx.body = await editTicketType(prisma, guildOf(ctx), typeId, body, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'delete',
      path: '/types/:typeId',
      summary: 'Removes a ticket type with no open tickets (audited).',
      tag: TAG,
      access: admin,
      params: typeParams,
      responses: { 200: { description: 'The type removed.', schema: typeJson } },
      handler: async (ctx, { params: { typeId } }) => {
        ctx.body = await removeTicketType(prisma, guildOf(ctx), typeId, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'get',
      path: '/settings',
      summary: 'Ticket settings.',
      tag: TAG,
      access: staff,
      responses: { 200: { description: 'The settings.', schema: settingsJson } },
      handler: async (ctx) => {
        ctx.body = await getTicketSettings(prisma, guildOf(ctx));
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: 'Changes the ticket settings (audited).',
      tag: TAG,
      access: admin,
      jsonBody: ticketSettingsSchema,
      responses: { 200: { description: 'The settings now.', schema: settingsJson } },
      handler: async (ctx, { json: body }) => {
        const ids = ticketSettingsSchema.safeParse(body).data;
        await requireInGuild(guildDirectory, guildOf(ctx), { channels: { transcriptChannelId: ids?.transcriptChannelId } });
        ctx.body = await updateTicketSettings(prisma, guildOf(ctx), body, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'Tickets, newest first, with filters.',
      tag: TAG,
      access: staff,
      query: listQuery,
      responses: { 200: { description: 'A page of tickets.', schema: z.object({ items: z.array(ticketJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await prisma.ticket.findMany({
          where: { guildId: guildOf(ctx), ...(q.status ? { status: q.status } : {}), ...(q.member ? { openerId: q.member } : {}), ...(q.type ? { typeId: q.type } : {}), ...afterCursor(q.cursor) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: q.limit + 1,
        });
        ctx.body = pageOf(rows, q.limit, ticketToJson);
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      summary: 'Opened and closed per day, response and resolution medians, ratings.',
      tag: TAG,
      access: staff,
      query: statsQuery,
      responses: { 200: { description: 'The stats.', schema: statsJson } },
      handler: async (ctx, { query }) => {
        ctx.body = await ticketStats(prisma, guildOf(ctx), query.days);
      },
    }),
    route({
      method: 'get',
      path: '/:ticketId',
      summary: 'One ticket with its flow’s status.',
      tag: TAG,
      access: staff,
      params: ticketParams,
      responses: { 200: { description: 'The ticket.', schema: ticketJson.extend({ workflow: flowStatus }) } },
      handler: async (ctx, { params: { ticketId } }) => {
        const { type: _type, ...ticket } = await requireTicket(prisma, guildOf(ctx), ticketId);
        ctx.body = { ...ticketToJson(ticket), workflow: await ticketFlowStatus(temporal, ticket.guildId, ticket.id) };
      },
    }),
    /** The saved transcript, streamed chunk by chunk from the database (it may be larger than memory should hold). */
    route({
      method: 'get',
      path: '/:ticketId/transcript',
      summary: 'The saved transcript, as HTML or JSON (streamed).',
      tag: TAG,
      access: staff,
      params: ticketParams,
      query: transcriptQuery,
      responses: { 200: { description: 'The transcript: HTML, or JSON with format=json.', contentType: ['text/html', 'application/json'], schema: z.string() } },
      handler: async (ctx, { params: { ticketId }, query: { format } }) => {
        const ticket = await requireTicket(prisma, guildOf(ctx), ticketId);
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
      },
    }),
    /** A staff close through the API: the token's level is checked here, the flow checks the guild and the ticket's state. */
    route({
      method: 'post',
      path: '/:ticketId/close',
      summary: 'Closes a ticket as staff (the same update the bot sends).',
      tag: TAG,
      access: staff,
      params: ticketParams,
      // Optional: read only when the request is JSON.
      rawBody: { contentType: 'application/json', schema: closeBody, required: false },
      responses: { 200: { description: 'The flow’s answer.', schema: json } },
      handler: async (ctx, { params: { ticketId } }) => {
        const guildId = guildOf(ctx);
        const ticket = await requireTicket(prisma, guildId, ticketId);
        const { reason } = closeBody.parse(ctx.is('application/json') ? await readJsonBody(ctx) : {});
        const auth = ctx.state.auth;
        ctx.body = await closeTicket(temporal, ticket.id, { guildId, userId: auth.ownerUserId, level: auth.level, staff: true }, reason);
      },
    }),
  ]);
}
