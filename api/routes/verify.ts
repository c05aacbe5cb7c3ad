import Router from '@koa/router';
import { z } from 'zod';
import { addGroupBind, checkUsername, findLink, getVerifySettings, listGroupBinds, listLinks, parseGroupBind, parseVerifySettingsChange, removeGroupBind, updateVerifySettings } from '../../activities/verify';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { readFlowStatus } from '../../lib/flows/client';
import { verifyStatusQuery, verifyWorkflowId, type LinkSnapshot } from '../../lib/flows/verify';
import { runUnverify, startVerificationRun } from '../../lib/flows/verify.client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

const startBody = z.object({ userId: snowflake, username: z.string().min(1).max(40) }).strict();
const linksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the last userId of the previous page (the `next` field); use `cursor`/`nextCursor`. */
  after: snowflake.optional(),
  robloxName: z.string().max(20).optional(),
});

type State = AuthState & { log: Logger };

/**
 * Roblox verification for the dashboard: start a verification for a member (the phrase and the
 * outcome reach them by DM), its status, the guild's links, removing a link (role and nickname undone by
 * the unverify workflow), and the settings. Mods read, admins change.
 */
export function verifyRoutes({ prisma, temporal, taskQueue, guildDirectory }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/verify' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const flows = () => flowTargetOf({ temporal, taskQueue });

  router.post('/verifications', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const body = startBody.parse(await readJsonBody(ctx));
    const username = checkUsername(body.username);
    const guildId = guildOf(ctx);
    // The flow DMs the user: only a member of this server, never any Discord user an admin names.
    await requireInGuild(guildDirectory, guildId, { members: { userId: body.userId } });
    const run = await startVerificationRun(flows(), {
      guildId,
      userId: body.userId,
      username,
      notify: 'dm',
      summary: `Roblox verification of ${body.userId} as ${username}, started by API token ${ctx.state.auth.tokenId}`,
      replacePending: false,
    });
    ctx.status = 202;
    ctx.body = run;
  });

  router.get('/verifications/:userId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const userId = snowflake.parse(ctx.params.userId);
    const guildId = guildOf(ctx);
    const latest = await prisma.verification.findFirst({ where: { guildId, userId }, orderBy: { createdAt: 'desc' } });
    if (!latest) throw new NotFoundError(`<@${userId}> has no verification.`);
    // A finished run still answers its query (its final view) when a worker replays it.
    const workflow = await readFlowStatus(temporal, verifyWorkflowId(guildId, userId), verifyStatusQuery, latest.runId, { queryClosed: true });
    ctx.body = {
      verification: { ...latest, robloxId: latest.robloxId?.toString() ?? null },
      workflow,
    };
  });

  router.get('/links', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = linksQuery.parse(ctx.query);
    const after = q.cursor ? decodeKeyCursor(q.cursor, 1)[0] : q.after;
    const { links, next } = await listLinks(prisma, guildOf(ctx), { limit: q.limit, after, robloxName: q.robloxName });
    // `next` (the raw userId) is deprecated beside `nextCursor`.
    ctx.body = { links: links.map(linkJson), nextCursor: next === null ? null : encodeKeyCursor([next]), next };
  });

  router.delete('/links/:userId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const userId = snowflake.parse(ctx.params.userId);
    const guildId = guildOf(ctx);
    if (!(await findLink(prisma, guildId, userId))) throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
    const result = await runUnverify(flows(), { guildId, userId, actorId: tokenAuditActor(ctx.state.auth).actorId, summary: `Unlink ${userId} by API token ${ctx.state.auth.tokenId}` });
    if (result.status === 'not_linked') throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
    ctx.body = { ...result, link: result.link && linkJson(result.link) };
  });

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = { settings: await getVerifySettings(prisma, guildOf(ctx)) };
  });

  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const change = parseVerifySettingsChange(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildOf(ctx), { roles: { verifiedRoleId: change.verifiedRoleId, unverifiedRoleId: change.unverifiedRoleId } });
    ctx.body = { settings: await updateVerifySettings(prisma, guildOf(ctx), change, tokenAuditActor(ctx.state.auth)) };
  });

  router.get('/binds', requireGuildToken(prisma, 'admin'), async (ctx) => {
    ctx.body = { binds: await listGroupBinds(prisma, guildOf(ctx)) };
  });

  router.post('/binds', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const bind = parseGroupBind(await readJsonBody(ctx));
    await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: bind.roleId } });
    ctx.status = 201;
    ctx.body = { bind: await addGroupBind(prisma, guildOf(ctx), bind, tokenAuditActor(ctx.state.auth)) };
  });

  router.delete('/binds/:bindId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    ctx.body = { bind: await removeGroupBind(prisma, guildOf(ctx), ctx.params.bindId!, tokenAuditActor(ctx.state.auth)) };
  });

  return router;
}

function linkJson(link: LinkSnapshot) {
  const { guildId: _guildId, ...rest } = link;
  return rest;
}
