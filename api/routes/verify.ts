import Router from '@koa/router';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { findLink, getVerifySettings, listLinks, parseVerifySettingsChange, updateVerifySettings, type LinkSnapshot } from '../../activities/verify';
import { AppError, NotFoundError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { checkUsername, runUnverify, startVerificationRun } from '../../activities/verify/client';
import { verifyStatusQuery, verifyWorkflowId } from '../../workflows/verify';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

const startBody = z.object({ userId: snowflake, username: z.string().min(1).max(40) }).strict();
const linksQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), after: snowflake.optional(), robloxName: z.string().max(20).optional() });

type State = AuthState & { log: Logger };

/**
 * Roblox verification for the dashboard (issue 6): start a verification for a member (the phrase and the
 * outcome reach them by DM), its status, the guild's links, removing a link (role and nickname undone by
 * the unverify workflow), and the settings. Mods read, admins change.
 */
export function verifyRoutes({ prisma, temporal, taskQueue }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/verify' });
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const flows = () => {
    if (!temporal || !taskQueue) throw new AppError('temporal_unavailable', 'This API process cannot start workflows (no Temporal client).', 503);
    return { temporal, taskQueue };
  };

  router.post('/verifications', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const body = startBody.parse(await readJsonBody(ctx));
    const username = checkUsername(body.username);
    const guildId = guildOf(ctx);
    try {
      const handle = await startVerificationRun(flows(), {
        guildId,
        userId: body.userId,
        username,
        notify: 'dm',
        summary: `Roblox verification of ${body.userId} as ${username}, started by API token ${ctx.state.auth.tokenId}`,
        replacePending: false,
      });
      ctx.status = 202;
      ctx.body = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new AppError('verification_pending', `<@${body.userId}> already has a verification pending (${verifyWorkflowId(guildId, body.userId)}).`, 409);
      }
      throw err;
    }
  });

  router.get('/verifications/:userId', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const userId = snowflake.parse(ctx.params.userId);
    const guildId = guildOf(ctx);
    const workflowId = verifyWorkflowId(guildId, userId);
    const latest = await prisma.verification.findFirst({ where: { guildId, userId }, orderBy: { createdAt: 'desc' } });
    if (!latest) throw new NotFoundError(`<@${userId}> has no verification.`);
    let workflow: Record<string, unknown> = { workflowId, status: 'UNAVAILABLE' };
    if (temporal) {
      const handle = temporal.workflow.getHandle(workflowId, latest.runId);
      try {
        const d = await handle.describe();
        const state = await temporal.withDeadline(Date.now() + 3000, () => handle.query(verifyStatusQuery)).catch(() => null);
        workflow = { workflowId, runId: latest.runId, status: d.status.name, startTime: d.startTime, closeTime: d.closeTime ?? null, state };
      } catch (err) {
        if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        workflow = { workflowId, status: 'NOT_FOUND' };
      }
    }
    ctx.body = {
      verification: { ...latest, robloxId: latest.robloxId?.toString() ?? null },
      workflow,
    };
  });

  router.get('/links', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const q = linksQuery.parse(ctx.query);
    const { links, next } = await listLinks(prisma, guildOf(ctx), { limit: q.limit, after: q.after, robloxName: q.robloxName });
    ctx.body = { links: links.map(linkJson), next };
  });

  router.delete('/links/:userId', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const userId = snowflake.parse(ctx.params.userId);
    const guildId = guildOf(ctx);
    if (!(await findLink(prisma, guildId, userId))) throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
    const result = await runUnverify(flows(), { guildId, userId, actorId: `api_token:${ctx.state.auth.tokenId}`, summary: `Unlink ${userId} by API token ${ctx.state.auth.tokenId}` });
    if (result.status === 'not_linked') throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
    ctx.body = { ...result, link: result.link && linkJson(result.link) };
  });

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    ctx.body = { settings: await getVerifySettings(prisma, guildOf(ctx)) };
  });

  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const change = parseVerifySettingsChange(await readJsonBody(ctx));
    ctx.body = { settings: await updateVerifySettings(prisma, guildOf(ctx), change, { actorType: 'api_token', actorId: `token:${ctx.state.auth.tokenId}` }) };
  });

  return router;
}

function linkJson(link: LinkSnapshot) {
  const { guildId: _guildId, ...rest } = link;
  return rest;
}
