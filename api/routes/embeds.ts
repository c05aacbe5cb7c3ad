import Router from '@koa/router';
import { z } from 'zod';
import { createEmbed, deleteEmbed, editEmbed, embedName, embedToJson, getEmbed } from '../../activities/embeds';
import { ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

type State = AuthState & { log: Logger };

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

/**
 * Saved embeds (admins and Manage announcements holders): list by name (cursor + limit → nextCursor), read, create, change, delete. Every
 * write is checked against Discord's embed limits and audited (activities/embeds). Sending one is the
 * bot's /embed send (an announcement): the API posts announcements itself through /announcements.
 */
export function embedRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/embeds' });
  const manage = requireGuildToken(prisma, 'admin', 'manage_announcements');
  const nameOf = (ctx: { params: Record<string, string> }) => embedName(ctx.params.name ?? '');

  router.get('/', manage, async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const after = q.cursor ? decodeKeyCursor(q.cursor, 1)[0] : undefined;
    const rows = await prisma.savedEmbed.findMany({
      where: { guildId: ctx.params.guildId!, ...(after !== undefined ? { name: { gt: after } } : {}) },
      orderBy: { name: 'asc' },
      take: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    ctx.body = { items: page.map(embedToJson), nextCursor: rows.length > q.limit ? encodeKeyCursor([page[page.length - 1]!.name]) : null };
  });

  router.post('/', manage, async (ctx) => {
    const body = await readJsonBody(ctx);
    if (!body || typeof body !== 'object') throw new ValidationError('Give at least name, title and description.');
    ctx.status = 201;
    ctx.body = embedToJson(await createEmbed(prisma, ctx.params.guildId!, body as never, tokenAuditActor(ctx.state.auth)));
  });

  router.get('/:name', manage, async (ctx) => {
    ctx.body = embedToJson(await getEmbed(prisma, ctx.params.guildId!, nameOf(ctx)));
  });

  router.patch('/:name', manage, async (ctx) => {
    ctx.body = embedToJson(await editEmbed(prisma, ctx.params.guildId!, nameOf(ctx), (await readJsonBody(ctx)) as never, tokenAuditActor(ctx.state.auth)));
  });

  router.delete('/:name', manage, async (ctx) => {
    const e = await deleteEmbed(prisma, ctx.params.guildId!, nameOf(ctx), tokenAuditActor(ctx.state.auth));
    ctx.body = { deleted: true, name: e.name };
  });

  return router;
}
