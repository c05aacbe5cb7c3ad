import Router from '@koa/router';
import { z } from 'zod';
import { createApiToken, revokeApiToken } from '../../lib/api-tokens';
import { NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { PERMISSION_LEVELS } from '../../lib/permissions';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const settingsPatch = z
  .object({
    adminRoleIds: z.array(snowflake).max(25),
    modRoleIds: z.array(snowflake).max(25),
    verifiedRoleId: snowflake.nullable(),
    unverifiedRoleId: snowflake.nullable(),
    adminLogChannelId: snowflake.nullable(),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as en or pt-BR'),
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
  before: z.coerce.bigint().optional(),
});

type GuildParams = { guildId: string; tokenId?: string };
type State = AuthState & { log: Logger };

/** Guild settings, audit trail and API tokens, for the dashboard. */
export function guildRoutes({ prisma }: RouteDeps): Router<State> {
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
    const [settings] = await prisma.$transaction([
      prisma.guildSettings.upsert({ where: { guildId }, create: { guildId, ...patch }, update: patch }),
      prisma.auditEvent.create({
        data: {
          guildId,
          actorType: 'api_token',
          actorId: `token:${ctx.state.auth.tokenId}`,
          action: 'guild_settings.updated',
          targetType: 'guild',
          targetId: guildId,
          data: patch,
        },
      }),
    ]);
    ctx.body = settings;
  });

  router.get('/audit-events', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = auditQuery.parse(ctx.query);
    const events = await prisma.auditEvent.findMany({
      where: { guildId, ...(q.before ? { id: { lt: q.before } } : {}) },
      orderBy: { id: 'desc' },
      take: q.limit,
    });
    ctx.body = {
      events: events.map((e) => ({ ...e, id: e.id.toString() })),
      nextBefore: events.length === q.limit ? events[events.length - 1]?.id.toString() : null,
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
      createdBy: `token:${ctx.state.auth.tokenId}`,
      creatorLevel: ctx.state.auth.level,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : undefined,
    });
    ctx.status = 201;
    // The secret is shown this once; only its hash is kept.
    ctx.body = created;
  });

  router.delete('/api-tokens/:tokenId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId, tokenId } = ctx.params as GuildParams;
    await revokeApiToken(prisma, guildId, tokenId!, `token:${ctx.state.auth.tokenId}`);
    ctx.status = 204;
  });

  return router;
}
