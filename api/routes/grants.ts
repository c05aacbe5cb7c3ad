import Router from '@koa/router';
import { z } from 'zod';
import { addGrant, grantInputSchema, grantToJson, listGrants, removeGrant } from '../../activities/grants';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const grantParams = z.object({ guildId: z.string(), id: z.coerce.number().int().min(1).max(2 ** 31 - 1) });

function grantIdOf(cursor: string): number {
  const id = Number(decodeKeyCursor(cursor, 1)[0]);
  if (!Number.isInteger(id) || id < 1) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  return id;
}

type State = AuthState & { log: Logger };

/** Grants (lib/grants.ts): admins give members and roles named permissions; every change is audited. */
export function grantRoutes({ prisma, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/grants' });

  router.get('/', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const rows = await listGrants(prisma, ctx.params.guildId!, { afterId: q.cursor ? grantIdOf(q.cursor) : undefined, take: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    ctx.body = { grants: page.map(grantToJson), nextCursor: rows.length > q.limit ? encodeKeyCursor([page[page.length - 1]!.id]) : null };
  });

  router.post('/', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const guildId = ctx.params.guildId!;
    const input = grantInputSchema.parse(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildId, input.subjectType === 'role' ? { roles: { subjectId: input.subjectId } } : { members: { subjectId: input.subjectId } });
    const { grant, added } = await addGrant(prisma, guildId, input, tokenAuditActor(ctx.state.auth));
    ctx.status = added ? 201 : 200;
    ctx.body = { grant: grantToJson(grant), added };
  });

  router.delete('/:id', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId, id } = grantParams.parse(ctx.params);
    ctx.body = { grant: grantToJson(await removeGrant(prisma, guildId, { id }, tokenAuditActor(ctx.state.auth))) };
  });

  return router;
}
