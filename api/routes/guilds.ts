import Router from '@koa/router';
import { z } from 'zod';
import { createApiToken, revokeApiToken } from '../../lib/api-tokens';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { FEATURE_SWITCHES } from '../../lib/features';
import { updateGuildSettings } from '../../lib/guild-settings';
import { PERMISSION_LEVELS } from '../../lib/permissions';
import { requireGuildToken, tokenAuditActor, tokenMinter, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

const settingsPatch = z
  .object({
    adminRoleIds: z.array(snowflake).max(25),
    modRoleIds: z.array(snowflake).max(25),
    verifiedRoleId: snowflake.nullable(),
    unverifiedRoleId: snowflake.nullable(),
    adminLogChannelId: snowflake.nullable(),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as en or pt-BR'),
    /** The feature switches that are off (lib/features.ts); features not listed are on. */
    disabledFeatures: z.array(z.enum(FEATURE_SWITCHES)).max(FEATURE_SWITCHES.length),
  })
  .partial()
  .strict();
const tokenCreate = z
  .object({
    name: z.string().trim().min(1).max(64),
    level: z.enum(PERMISSION_LEVELS),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: use `cursor` (kept for one release). The id of the last event of the previous page. */
  before: z.coerce.bigint().optional(),
});

type GuildParams = { guildId: string; tokenId?: string };

/** The audit event a cursor names (events are paged newest first by id). */
function eventIdOf(cursor: string): bigint {
  const [id] = decodeKeyCursor(cursor, 1);
  if (!/^\d{1,19}$/.test(id!)) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return BigInt(id!);
}
type State = AuthState & { log: Logger };

/** Guild settings, audit trail and API tokens, for the dashboard. */
export function guildRoutes({ prisma, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId' });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const guild = await prisma.guild.findUnique({ where: { id: guildId }, include: { settings: true } });
    if (!guild) throw new NotFoundError(`Guild ${guildId} is not known to Guildflow.`);
    ctx.body = guild;
  });

  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const patch = settingsPatch.parse(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildId, {
      channels: { adminLogChannelId: patch.adminLogChannelId },
      roles: { adminRoleIds: patch.adminRoleIds, modRoleIds: patch.modRoleIds, verifiedRoleId: patch.verifiedRoleId, unverifiedRoleId: patch.unverifiedRoleId },
    });
    const settings = await updateGuildSettings(prisma, guildId, patch, tokenAuditActor(ctx.state.auth));
    ctx.body = settings;
  });

  router.get('/audit-events', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = auditQuery.parse(ctx.query);
    const before = q.cursor ? eventIdOf(q.cursor) : q.before;
    const rows = await prisma.auditEvent.findMany({
      where: { guildId, ...(before ? { id: { lt: before } } : {}) },
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
  });

  router.get('/api-tokens', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    ctx.body = {
      tokens: await prisma.apiToken.findMany({
        where: { guildId },
        orderBy: { createdAt: 'desc' },
        select: { id: true, name: true, level: true, createdBy: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
      }),
    };
  });

  router.post('/api-tokens', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const input = tokenCreate.parse(await readJsonBody(ctx));
    const created = await createApiToken(prisma, {
      guildId,
      name: input.name,
      level: input.level,
      createdBy: tokenMinter(ctx.state.auth),
      creatorLevel: ctx.state.auth.level,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : undefined,
    });
    ctx.status = 201;
    // The secret is shown this once; only its hash is kept.
    ctx.body = created;
  });

  router.delete('/api-tokens/:tokenId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId, tokenId } = ctx.params as GuildParams;
    await revokeApiToken(prisma, { guildId, tokenId: tokenId!, actorId: tokenAuditActor(ctx.state.auth).actorId, actorLevel: ctx.state.auth.level });
    ctx.status = 204;
  });

  return router;
}
