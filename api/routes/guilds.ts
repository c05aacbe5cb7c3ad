import type Router from '@koa/router';
import { z } from 'zod';
import { createApiToken, revokeApiToken } from '../../lib/api-tokens';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { updateGuildSettings } from '../../lib/guild-settings';
import { PERMISSION_LEVELS } from '../../lib/permissions';
import { tokenAuditActor, tokenMinter } from '../auth';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { apiTokenCreate } from '../../lib/requests/api-tokens';
import { guildSettingsPatch } from '../../lib/requests/guild-settings';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { isoDate, json, nextCursor, row } from '../openapi/schemas';

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: use `cursor` (kept for one release). The id of the last event of the previous page. */
  before: z.coerce.bigint().optional(),
});

/** The audit event a cursor names (events are paged newest first by id). */
function eventIdOf(cursor: string): bigint {
  const [id] = decodeKeyCursor(cursor, 1);
  if (!/^\d{1,19}$/.test(id!)) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return BigInt(id!);
}

const settingsJson = row({
  guildId: z.string(),
  adminRoleIds: z.array(z.string()),
  modRoleIds: z.array(z.string()),
  verifiedRoleId: z.string().nullable(),
  unverifiedRoleId: z.string().nullable(),
  adminLogChannelId: z.string().nullable(),
  locale: z.string(),
  disabledFeatures: z.array(z.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
}).meta({ id: 'GuildSettings' });
const tokenJson = z.object({ id: z.string(), name: z.string(), level: z.enum(PERMISSION_LEVELS), createdBy: z.string(), createdAt: isoDate, lastUsedAt: isoDate.nullable(), expiresAt: isoDate.nullable(), revokedAt: isoDate.nullable() });
const TAG = 'guild';

/** Guild settings, audit trail and API tokens, for the dashboard. */
export function guildRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, guildDirectory } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;

  return routerOf('/api/guilds/:guildId', deps, [
    route({
      method: 'get',
      path: '/',
      summary: 'The guild and its settings.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'The guild.', schema: row({ id: z.string(), name: z.string(), ownerId: z.string(), createdAt: isoDate, updatedAt: isoDate, settings: settingsJson.nullable() }) } },
      handler: async (ctx) => {
        const guildId = guildOf(ctx);
        const guild = await prisma.guild.findUnique({ where: { id: guildId }, include: { settings: true } });
        if (!guild) throw new NotFoundError(`Guild ${guildId} is not known to Guildflow.`);
        ctx.body = guild;
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: "Changes the guild's settings (roles, channels, locale, feature switches).",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      body: guildSettingsPatch,
      responses: { 200: { description: 'The settings now.', schema: settingsJson } },
      handler: async (ctx, { body: patch }) => {
        const guildId = guildOf(ctx);
        await requireInGuild(guildDirectory, guildId, {
          channels: { adminLogChannelId: patch.adminLogChannelId },
          roles: { adminRoleIds: patch.adminRoleIds, modRoleIds: patch.modRoleIds, verifiedRoleId: patch.verifiedRoleId, unverifiedRoleId: patch.unverifiedRoleId },
        });
        ctx.body = await updateGuildSettings(prisma, guildId, patch, tokenAuditActor(ctx.state.auth));
      },
    }),
    route({
      method: 'get',
      path: '/audit-events',
      summary: 'The audit trail, newest first.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      query: auditQuery,
      responses: {
        200: {
          description: 'A page of events.',
          schema: z.object({
            events: z.array(z.object({ id: z.string(), guildId: z.string(), actorType: z.string(), actorId: z.string(), action: z.string(), targetType: z.string().nullable(), targetId: z.string().nullable(), data: json, createdAt: isoDate })),
            nextCursor,
            nextBefore: z.string().nullable().meta({ deprecated: true }),
          }),
        },
      },
      handler: async (ctx, { query: q }) => {
        const before = q.cursor ? eventIdOf(q.cursor) : q.before;
        const rows = await prisma.auditEvent.findMany({
          where: { guildId: guildOf(ctx), ...(before ? { id: { lt: before } } : {}) },
          orderBy: { id: 'desc' },
          take: q.limit + 1,
        });
        const events = rows.slice(0, q.limit);
        const last = rows.length > q.limit ? events[events.length - 1]!.id : null;
        ctx.body = {
          events: events.map((e) => ({ ...e, id: e.id.toString() })),
          nextCursor: last === null ? null : encodeKeyCursor([last]),
          // Deprecated: nextCursor (kept for one release).
          nextBefore: last === null ? null : last.toString(),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api-tokens',
      summary: "The guild's API tokens (never their secrets).",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      responses: { 200: { description: 'Every token, newest first.', schema: z.object({ tokens: z.array(tokenJson) }) } },
      handler: async (ctx) => {
        ctx.body = {
          tokens: await prisma.apiToken.findMany({
            where: { guildId: guildOf(ctx) },
            orderBy: { createdAt: 'desc' },
            select: { id: true, name: true, level: true, createdBy: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
          }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api-tokens',
      summary: 'Mints an API token (at most the caller’s level); the secret is shown this once.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      body: apiTokenCreate,
      responses: { 201: { description: 'The token and its secret.', schema: z.object({ id: z.string(), token: z.string() }) } },
      handler: async (ctx, { body: input }) => {
        const created = await createApiToken(prisma, {
          guildId: guildOf(ctx),
          name: input.name,
          level: input.level,
          createdBy: tokenMinter(ctx.state.auth),
          creatorLevel: ctx.state.auth.level,
          expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : undefined,
        });
        ctx.status = 201;
        // The secret is shown this once; only its hash is kept.
        ctx.body = created;
      },
    }),
    route({
      method: 'delete',
      path: '/api-tokens/:tokenId',
      summary: 'Revokes an API token.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      responses: { 204: { description: 'Revoked.' } },
      handler: async (ctx) => {
        await revokeApiToken(prisma, { guildId: guildOf(ctx), tokenId: ctx.params.tokenId!, actorId: tokenAuditActor(ctx.state.auth).actorId, actorLevel: ctx.state.auth.level });
        ctx.status = 204;
      },
    }),
  ]);
}
