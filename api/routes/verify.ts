import type Router from '@koa/router';
import { z } from 'zod';
import {
  addGroupBind,
  checkUsername,
  findLink,
  getVerifySettings,
  listGroupBinds,
  listLinks,
  newBind,
  parseGroupBind,
  parseVerifySettingsChange,
  removeGroupBind,
  updateVerifySettings,
  verifySettingsChange,
} from '../../activities/verify';
import { requireInGuild } from '../../lib/discord/guild-directory';
import { snowflake } from '../../lib/discord/snowflake';
import { NotFoundError } from '../../lib/errors';
import { readFlowStatus } from '../../lib/flows/client';
import { verifyStatusQuery, verifyWorkflowId, type LinkSnapshot } from '../../lib/flows/verify';
import { runUnverify, startVerificationRun } from '../../lib/flows/verify.client';
import { tokenAuditActor } from '../auth';
import { flowTargetOf, type RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { flowStatus, isoDate, nextCursor, row } from '../openapi/schemas';

const startBody = z.object({ userId: snowflake, username: z.string().min(1).max(40) }).strict();
const linksQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
  /** Deprecated: the last userId of the previous page (the `next` field); use `cursor`/`nextCursor`. */
  after: snowflake.optional(),
  robloxName: z.string().max(20).optional(),
});

const userParams = z.object({ userId: snowflake });
const linkResponse = z
  .object({
    userId: z.string(),
    robloxId: z.string(),
    robloxName: z.string(),
    robloxDisplayName: z.string(),
    method: z.string(),
    linkedBy: z.string().nullable(),
    verifiedAt: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    nicknameSet: z.string().nullable(),
    nicknameBefore: z.string().nullable(),
  })
  .meta({ id: 'RobloxLink' });
const settingsResponse = z.object({
  settings: z.object({ phraseWords: z.number().int(), expirySeconds: z.number().int(), checksPerMinute: z.number(), nicknameTemplate: z.string().nullable(), verifiedRoleId: z.string().nullable(), unverifiedRoleId: z.string().nullable() }),
});
const bindJson = z.object({ id: z.string(), groupId: z.string(), roleId: z.string(), minRank: z.number().int(), maxRank: z.number().int(), createdAt: z.string() });
const TAG = 'verify';

/**
 * Roblox verification for the dashboard: start a verification for a member (the phrase and the
 * outcome reach them by DM), its status, the guild's links, removing a link (role and nickname undone by
 * the unverify workflow), and the settings. Mods read, admins change.
 */
export function verifyRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal, taskQueue, guildDirectory } = deps;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;
  const flows = () => flowTargetOf({ temporal, taskQueue });

  return routerOf('/api/guilds/:guildId/verify', deps, [
    route({
      method: 'post',
      path: '/verifications',
      summary: 'Starts a Roblox verification for a member (phrase and outcome by DM).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      body: startBody,
      responses: { 202: { description: 'Started.', schema: z.object({ workflowId: z.string(), runId: z.string() }) } },
      handler: async (ctx, { body }) => {
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
      },
    }),
    route({
      method: 'get',
      path: '/verifications/:userId',
      summary: "A member's latest verification and its flow's status.",
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      params: userParams,
      responses: {
        200: {
          description: 'The verification.',
          schema: z.object({
            verification: row({ runId: z.string(), workflowId: z.string(), guildId: z.string(), userId: z.string(), method: z.string(), robloxId: z.string().nullable(), robloxName: z.string().nullable(), status: z.string(), reason: z.string().nullable(), createdAt: isoDate, finishedAt: isoDate.nullable() }),
            workflow: flowStatus,
          }),
        },
      },
      handler: async (ctx, { params: { userId } }) => {
        const guildId = guildOf(ctx);
        const latest = await prisma.verification.findFirst({ where: { guildId, userId }, orderBy: { createdAt: 'desc' } });
        if (!latest) throw new NotFoundError(`<@${userId}> has no verification.`);
        // A finished run still answers its query (its final view) when a worker replays it.
        const workflow = await readFlowStatus(temporal, verifyWorkflowId(guildId, userId), verifyStatusQuery, latest.runId, { queryClosed: true });
        ctx.body = {
          verification: { ...latest, robloxId: latest.robloxId?.toString() ?? null },
          workflow,
        };
      },
    }),
    route({
      method: 'get',
      path: '/links',
      summary: "The guild's Roblox links.",
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      query: linksQuery,
      responses: { 200: { description: 'A page of links.', schema: z.object({ links: z.array(linkResponse), nextCursor, next: z.string().nullable().meta({ deprecated: true }) }) } },
      handler: async (ctx, { query: q }) => {
        const after = q.cursor ? decodeKeyCursor(q.cursor, 1)[0] : q.after;
        const { links, next } = await listLinks(prisma, guildOf(ctx), { limit: q.limit, after, robloxName: q.robloxName });
        // `next` (the raw userId) is deprecated beside `nextCursor`.
        ctx.body = { links: links.map(linkJson), nextCursor: next === null ? null : encodeKeyCursor([next]), next };
      },
    }),
    route({
      method: 'delete',
      path: '/links/:userId',
      summary: "Removes a member's link (the unverify flow undoes role and nickname).",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      params: userParams,
      responses: {
        200: {
          description: 'What was undone.',
          schema: z.object({ status: z.literal('removed'), link: linkResponse.nullable(), roleRemoved: z.boolean(), unverifiedRoleGiven: z.boolean(), nicknameRestored: z.boolean(), problems: z.array(z.string()) }),
        },
      },
      handler: async (ctx, { params: { userId } }) => {
        const guildId = guildOf(ctx);
        if (!(await findLink(prisma, guildId, userId))) throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
        const result = await runUnverify(flows(), { guildId, userId, actorId: tokenAuditActor(ctx.state.auth).actorId, summary: `Unlink ${userId} by API token ${ctx.state.auth.tokenId}` });
        if (result.status === 'not_linked') throw new NotFoundError(`<@${userId}> has no linked Roblox account.`);
        ctx.body = { ...result, link: result.link && linkJson(result.link) };
      },
    }),
    route({
      method: 'get',
      path: '/settings',
      summary: 'Verification settings.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'The settings.', schema: settingsResponse } },
      handler: async (ctx) => {
        ctx.body = { settings: await getVerifySettings(prisma, guildOf(ctx)) };
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: 'Changes the verification settings.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      jsonBody: verifySettingsChange,
      responses: { 200: { description: 'The settings now.', schema: settingsResponse } },
      handler: async (ctx, { json }) => {
        const change = parseVerifySettingsChange(json);
        await requireInGuild(guildDirectory, guildOf(ctx), { roles: { verifiedRoleId: change.verifiedRoleId, unverifiedRoleId: change.unverifiedRoleId } });
        ctx.body = { settings: await updateVerifySettings(prisma, guildOf(ctx), change, tokenAuditActor(ctx.state.auth)) };
      },
    }),
    route({
      method: 'get',
      path: '/binds',
      summary: 'Roblox group rank → role binds.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      responses: { 200: { description: 'Every bind.', schema: z.object({ binds: z.array(bindJson) }) } },
      handler: async (ctx) => {
        ctx.body = { binds: await listGroupBinds(prisma, guildOf(ctx)) };
      },
    }),
    route({
      method: 'post',
      path: '/binds',
      summary: 'Adds a group rank → role bind.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      jsonBody: newBind,
      responses: { 201: { description: 'The bind.', schema: z.object({ bind: bindJson }) } },
      handler: async (ctx, { json }) => {
        const bind = parseGroupBind(json);
        await requireInGuild(guildDirectory, guildOf(ctx), { roles: { roleId: bind.roleId } });
        ctx.status = 201;
        ctx.body = { bind: await addGroupBind(prisma, guildOf(ctx), bind, tokenAuditActor(ctx.state.auth)) };
      },
    }),
    route({
      method: 'delete',
      path: '/binds/:bindId',
      summary: 'Removes a bind.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      responses: { 200: { description: 'The bind removed.', schema: z.object({ bind: bindJson }) } },
      handler: async (ctx) => {
        ctx.body = { bind: await removeGroupBind(prisma, guildOf(ctx), ctx.params.bindId!, tokenAuditActor(ctx.state.auth)) };
      },
    }),
  ]);
}

function linkJson(link: LinkSnapshot) {
  const { guildId: _guildId, ...rest } = link;
  return rest;
}
