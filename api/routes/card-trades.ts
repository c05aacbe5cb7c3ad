import { createHash, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import { currentLines, listMessages, listProposals, postMessage, proposalForParty, rateTrade, traderProfile, tradeTimings, type ProposalRow } from '../../activities/card-trades';
import { snowflake } from '../../lib/discord/snowflake';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import type { CardTradeTerms } from '../../lib/flows/card-trades';
import { confirmTradeReceipt, disputeTrade, proposeTrade, readTradeStatus, resolveTradeDispute, respondToTrade } from '../../lib/flows/card-trades.client';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { decodeCursor, decodeKeyCursor, encodeKeyCursor, pageOf } from '../pagination';

const line = z.object({ collectionItemId: z.string().regex(/^\d{1,18}$/), quantity: z.number().int().min(1).max(1000) });
const terms = z.object({
  offered: z.array(line).max(30).default([]),
  asked: z.array(line).max(30).default([]),
  cashCents: z.number().int().min(0).max(10_000_000).default(0),
  /** Who pays the cash: the member acting (`me`) or the other party (`them`). */
  cashPayer: z.enum(['me', 'them']).optional(),
  message: z.string().max(1000).nullish(),
});
const proposeBody = terms.extend({
  recipientId: snowflake,
  /** The client's key for this proposal: the same key again finds the same proposal. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});
const respondBody = z.discriminatedUnion('action', [
  z.object({ action: z.enum(['accept', 'decline', 'cancel']) }),
  z.object({ action: z.literal('counter'), terms }),
]);
const disputeBody = z.object({ reason: z.string().trim().min(1).max(1000) });
const resolveBody = z.object({ outcome: z.enum(['complete', 'cancel']), loserId: snowflake.nullable().default(null), note: z.string().max(1000).nullish() });
const rateBody = z.object({ stars: z.number().int().min(1).max(5), comment: z.string().max(1000).nullish() });
const messageBody = z.object({ body: z.string().trim().min(1).max(2000) });
const listQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });
const idParams = z.object({ guildId: z.string(), proposalId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/) });

type State = AuthState & { log: Logger };
type Ctx = { state: State; params: Record<string, string> };

/**
 * Card trades over HTTP for the dashboard and members' tokens: propose, list and read one's proposals
 * (status from the flow), the same validated updates the bot's buttons send (respond, confirm, dispute;
 * resolve for moderators), ratings, the proposal's messages, and public trader profiles. Members act
 * with their own token: the acting member is the token's owner, never a body field.
 */
export function cardTradeRoutes(deps: RouteDeps): Router<State> {
  const { prisma, temporal } = deps;
  const router = new Router<State>({ prefix: '/api/guilds/:guildId' });
  const guildOf = (ctx: Ctx) => ctx.params.guildId!;
  const me = (ctx: Ctx): string => {
    const userId = ctx.state.auth.ownerUserId;
    if (!userId) throw new ForbiddenError('Trades are a member’s own: use a member’s token, not an operator token.');
    return userId;
  };
  /** The proposal of this guild, if the acting member is one of its parties (anyone else: not found). */
  const myProposal = async (ctx: Ctx): Promise<ProposalRow> => {
    const { proposalId } = idParams.parse(ctx.params);
    const p = await proposalForParty(prisma, proposalId, me(ctx));
    if (p.guildId !== guildOf(ctx)) throw new NotFoundError(`There is no trade proposal ${JSON.stringify(proposalId)} in this server.`);
    return p;
  };
  const termsOf = (t: z.infer<typeof terms>, actor: string, other: string): CardTradeTerms => ({
    offered: t.offered,
    asked: t.asked,
    cashCents: t.cashCents,
    cashPayerId: t.cashCents > 0 ? (t.cashPayer === 'them' ? other : actor) : null,
    message: t.message ?? null,
  });

  router.post('/card-trades', requireGuildToken(prisma, 'user'), async (ctx) => {
    const guildId = guildOf(ctx);
    const proposerId = me(ctx);
    const body = proposeBody.parse(await readJsonBody(ctx));
    const proposalId = body.requestId ? `a${createHash('sha256').update(`${guildId}:${proposerId}:${body.requestId}`).digest('hex').slice(0, 24)}` : `a${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const timings = await tradeTimings(prisma, guildId);
    const result = await proposeTrade(flowTargetOf(deps), { proposalId, guildId, proposerId, recipientId: body.recipientId, terms: termsOf(body, proposerId, body.recipientId), ...timings });
    if (!result.ok) throw new AppError('trade_refused', result.message, 409);
    ctx.status = 201;
    ctx.body = { proposalId, ...result };
  });

  router.get('/card-trades', requireGuildToken(prisma, 'user'), async (ctx) => {
    const q = listQuery.parse(ctx.query);
    const rows = await listProposals(prisma, { guildId: guildOf(ctx), userId: me(ctx), before: q.cursor ? decodeCursor(q.cursor) : null, limit: q.limit });
    ctx.body = pageOf(rows, q.limit, proposalJson);
  });

  router.get('/card-trades/:proposalId', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const lines = await currentLines(prisma, p);
    const flow = await readTradeStatus(temporal, p.id);
    ctx.body = {
      ...proposalJson(p),
      lines: lines.map((l) => ({ fromUserId: l.fromUserId, collectionItemId: l.collectionItemId.toString(), quantity: l.quantity, name: l.item?.printing.name ?? null })),
      flow,
    };
  });

  router.post('/card-trades/:proposalId/respond', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const userId = me(ctx);
    const body = respondBody.parse(await readJsonBody(ctx));
    const other = userId === p.proposerId ? p.recipientId : p.proposerId;
    ctx.body = await respondToTrade(temporal, p.id, body.action === 'counter' ? { userId, action: 'counter', terms: termsOf(body.terms, userId, other) } : { userId, action: body.action });
  });

  router.post('/card-trades/:proposalId/confirm', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    ctx.body = await confirmTradeReceipt(temporal, p.id, me(ctx));
  });

  router.post('/card-trades/:proposalId/dispute', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const body = disputeBody.parse(await readJsonBody(ctx));
    ctx.body = await disputeTrade(temporal, p.id, me(ctx), body.reason);
  });

  router.post('/card-trades/:proposalId/resolve', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { proposalId } = idParams.parse(ctx.params);
    const guildId = guildOf(ctx);
    const body = resolveBody.parse(await readJsonBody(ctx));
    const auth = ctx.state.auth;
    ctx.body = await resolveTradeDispute(temporal, proposalId, {
      guildId,
      moderatorId: auth.ownerUserId ?? `api-token:${auth.tokenId}`,
      level: auth.level,
      outcome: body.outcome,
      loserId: body.loserId,
      note: body.note ?? null,
    });
  });

  router.post('/card-trades/:proposalId/rate', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const body = rateBody.parse(await readJsonBody(ctx));
    await rateTrade(prisma, { proposalId: p.id, raterId: me(ctx), stars: body.stars, comment: body.comment ?? null });
    ctx.status = 201;
    ctx.body = { ok: true };
  });

  router.get('/card-trades/:proposalId/messages', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const q = listQuery.parse(ctx.query);
    const after = q.cursor ? BigInt(decodeKeyCursor(q.cursor, 1)[0]!) : undefined;
    const rows = await listMessages(prisma, { proposalId: p.id, userId: me(ctx), after, limit: q.limit });
    const page = rows.slice(0, q.limit);
    ctx.body = {
      items: page.map((m) => ({ id: m.id.toString(), authorId: m.authorId, body: m.body, createdAt: m.createdAt.toISOString() })),
      nextCursor: rows.length > q.limit ? encodeKeyCursor([page.at(-1)!.id]) : null,
    };
  });

  router.post('/card-trades/:proposalId/messages', requireGuildToken(prisma, 'user'), async (ctx) => {
    const p = await myProposal(ctx);
    const body = messageBody.parse(await readJsonBody(ctx));
    const m = await postMessage(prisma, { proposalId: p.id, authorId: me(ctx), body: body.body });
    ctx.status = 201;
    ctx.body = { id: m.id.toString(), authorId: m.authorId, body: m.body, createdAt: m.createdAt.toISOString() };
  });

  router.get('/card-profiles/:userId', requireGuildToken(prisma, 'user'), async (ctx) => {
    const { userId } = z.object({ userId: snowflake }).parse(ctx.params);
    ctx.body = await traderProfile(prisma, userId);
  });

  return router;
}

function proposalJson(p: Omit<ProposalRow, 'lines' | 'dispute'>) {
  return {
    id: p.id,
    proposerId: p.proposerId,
    recipientId: p.recipientId,
    status: p.status,
    version: p.version,
    offererId: p.offererId,
    turnUserId: p.status === 'proposed' ? p.turnUserId : null,
    cashCents: p.cashCents,
    cashPayerId: p.cashPayerId,
    message: p.message,
    expiresAt: p.expiresAt.toISOString(),
    received: { proposer: p.proposerReceived !== null, recipient: p.recipientReceived !== null },
    createdAt: p.createdAt.toISOString(),
    completedAt: p.completedAt?.toISOString() ?? null,
  };
}
