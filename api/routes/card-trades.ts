import { createHash, randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { currentLines, listMessages, listProposals, postTradeMessage, proposalForParty, rateTrade, REPUTATION_TIERS, traderProfile, tradeTimings, type ProposalRow } from '../../activities/card-trades';
import { snowflake } from '../../lib/discord/snowflake';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import type { CardTradeStatus, CardTradeTerms } from '../../lib/flows/card-trades';
import { confirmTradeReceipt, disputeTrade, proposeTrade, readTradeStatus, resolveTradeDispute, respondToTrade } from '../../lib/flows/card-trades.client';
import { flowTargetOf, type RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { flowStatus, isoDate, nextCursor } from '../openapi/schemas';
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
const messageBody = z.object({
  body: z.string().trim().min(1).max(2000),
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1–100 characters: letters, digits, . _ : -')
    .optional()
    .meta({ description: 'Retrying with the same key (after an error answer) answers the message stored the first time instead of storing it again.' }),
});
const listQuery = z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });
const idParams = z.object({ guildId: z.string(), proposalId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/) });
const proposalParams = idParams.omit({ guildId: true });
const profileParams = z.object({ userId: snowflake });

const STATUSES = ['opening', 'refused', 'proposed', 'accepted', 'disputed', 'completed', 'declined', 'cancelled', 'expired'] as const satisfies readonly CardTradeStatus[];
const tradeResult = z.object({ ok: z.boolean(), status: z.enum(STATUSES), message: z.string() });
/** A proposal row's status (the table's check constraint). */
const ROW_STATUSES = ['proposed', 'accepted', 'completed', 'declined', 'cancelled', 'expired', 'disputed', 'refunded'] as const;
const proposalSchema = z.object({
  id: z.string(),
  proposerId: z.string(),
  recipientId: z.string(),
  status: z.enum(ROW_STATUSES),
  version: z.number().int(),
  offererId: z.string(),
  turnUserId: z.string().nullable(),
  cashCents: z.number().int(),
  cashPayerId: z.string().nullable(),
  message: z.string().nullable(),
  expiresAt: isoDate,
  received: z.object({ proposer: z.boolean(), recipient: z.boolean() }),
  createdAt: isoDate,
  completedAt: isoDate.nullable(),
});
const lineSchema = z.object({ fromUserId: z.string(), collectionItemId: z.string(), quantity: z.number().int(), name: z.string().nullable() });
const messageSchema = z.object({ id: z.string(), authorId: z.string(), body: z.string(), createdAt: isoDate });
const profileSchema = z.object({
  userId: z.string(),
  tier: z.enum(REPUTATION_TIERS),
  completedTrades: z.number().int(),
  averageRating: z.number().nullable(),
  ratings: z.number().int(),
  disputesLost: z.number().int(),
  lists: z.object({ collection: z.number().int(), haves: z.number().int(), wants: z.number().int() }),
});

/**
 * Card trades over HTTP for the dashboard and members' tokens: propose, list and read one's proposals
 * (status from the flow), the same validated updates the bot's buttons send (respond, confirm, dispute;
 * resolve for moderators), ratings, the proposal's messages, and public trader profiles. Members act
 * with their own token: the acting member is the token's owner, never a body field.
 */
export function cardTradeRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, temporal } = deps;
  const guildOf = (ctx: RouteContext) => ctx.params.guildId!;
  const me = (ctx: RouteContext): string => {
    const userId = ctx.state.auth.ownerUserId;
    if (!userId) throw new ForbiddenError('Trades are a member’s own: use a member’s token, not an operator token.');
    return userId;
  };
  const proposals = new WeakMap<RouteContext, ProposalRow>();
  /**
   * Finds the path's proposal of this guild, if the acting member is one of its parties (anyone else: not
   * found) — before the rest of the input is read, so a stranger learns nothing from a bad body.
   */
  const findProposal: Middleware = async (ctx, next) => {
    const c = ctx as RouteContext;
    const { proposalId } = idParams.parse(c.params);
    const p = await proposalForParty(prisma, proposalId, me(c));
    if (p.guildId !== guildOf(c)) throw new NotFoundError(`There is no trade proposal ${JSON.stringify(proposalId)} in this server.`);
    proposals.set(c, p);
    await next();
  };
  const proposalOf = (ctx: RouteContext): ProposalRow => proposals.get(ctx)!;
  /** Refuses an operator's token before the body is read. */
  const memberOnly: Middleware = async (ctx, next) => {
    me(ctx as RouteContext);
    await next();
  };
  const termsOf = (t: z.infer<typeof terms>, actor: string, other: string): CardTradeTerms => ({
    offered: t.offered,
    asked: t.asked,
    cashCents: t.cashCents,
    cashPayerId: t.cashCents > 0 ? (t.cashPayer === 'them' ? other : actor) : null,
    message: t.message ?? null,
  });
  const tag = 'card-trades';
  const member = { kind: 'guild', level: 'user' } as const;
  const party = 'The acting member is the token’s owner and must be a party of the proposal (anyone else: 404).';

  return routerOf('/api/guilds/:guildId', deps, [
    route({
      method: 'post',
      path: '/card-trades',
      summary: 'Proposes a card trade to another member.',
      description: 'With a member’s own token. The same requestId again finds the same proposal.',
      tag,
      access: member,
      before: [memberOnly],
      body: proposeBody,
      responses: { 201: { description: 'The trade flow opened the proposal (a refusal is a 409 trade_refused).', schema: tradeResult.extend({ proposalId: z.string(), workflowId: z.string() }) } },
      handler: async (ctx, { body }) => {
        const guildId = guildOf(ctx);
        const proposerId = me(ctx);
        const proposalId = body.requestId ? `a${createHash('sha256').update(`${guildId}:${proposerId}:${body.requestId}`).digest('hex').slice(0, 24)}` : `a${randomUUID().replace(/-/g, '').slice(0, 24)}`;
        const timings = await tradeTimings(prisma, guildId);
        const result = await proposeTrade(flowTargetOf(deps), { proposalId, guildId, proposerId, recipientId: body.recipientId, terms: termsOf(body, proposerId, body.recipientId), ...timings });
        if (!result.ok) throw new AppError('trade_refused', result.message, 409);
        ctx.status = 201;
        ctx.body = { proposalId, ...result };
      },
    }),
    route({
      method: 'get',
      path: '/card-trades',
      summary: 'The acting member’s trade proposals in this server, newest first.',
      tag,
      access: member,
      query: listQuery,
      responses: { 200: { description: 'A page of proposals.', schema: z.object({ items: z.array(proposalSchema), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const rows = await listProposals(prisma, { guildId: guildOf(ctx), userId: me(ctx), before: q.cursor ? decodeCursor(q.cursor) : null, limit: q.limit });
        ctx.body = pageOf(rows, q.limit, proposalJson);
      },
    }),
    route({
      method: 'get',
      path: '/card-trades/:proposalId',
      summary: 'One proposal: its current lines and its flow’s status.',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      responses: { 200: { description: 'The proposal.', schema: proposalSchema.extend({ lines: z.array(lineSchema), flow: flowStatus }) } },
      handler: async (ctx) => {
        const p = proposalOf(ctx);
        const lines = await currentLines(prisma, p);
        const flow = await readTradeStatus(temporal, p.id);
        ctx.body = {
          ...proposalJson(p),
          lines: lines.map((l) => ({ fromUserId: l.fromUserId, collectionItemId: l.collectionItemId.toString(), quantity: l.quantity, name: l.item?.printing.name ?? null })),
          flow,
        };
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/respond',
      summary: 'Accepts, declines, counters or cancels a proposal.',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      body: respondBody,
      responses: { 200: { description: 'What the trade flow answered (ok false: refused, with why).', schema: tradeResult } },
      handler: async (ctx, { body }) => {
        const p = proposalOf(ctx);
        const userId = me(ctx);
        const other = userId === p.proposerId ? p.recipientId : p.proposerId;
        ctx.body = await respondToTrade(temporal, p.id, body.action === 'counter' ? { userId, action: 'counter', terms: termsOf(body.terms, userId, other) } : { userId, action: body.action });
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/confirm',
      summary: 'Confirms the acting member received their side of an accepted trade.',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      responses: { 200: { description: 'What the trade flow answered.', schema: tradeResult } },
      handler: async (ctx) => {
        ctx.body = await confirmTradeReceipt(temporal, proposalOf(ctx).id, me(ctx));
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/dispute',
      summary: 'Disputes an accepted trade (a moderator resolves it).',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      body: disputeBody,
      responses: { 200: { description: 'What the trade flow answered.', schema: tradeResult } },
      handler: async (ctx, { body }) => {
        ctx.body = await disputeTrade(temporal, proposalOf(ctx).id, me(ctx), body.reason);
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/resolve',
      summary: 'Resolves a disputed trade (moderators).',
      tag,
      access: { kind: 'guild', level: 'mod' },
      params: proposalParams,
      body: resolveBody,
      responses: { 200: { description: 'What the trade flow answered.', schema: tradeResult } },
      handler: async (ctx, { params, body }) => {
        const auth = ctx.state.auth;
        ctx.body = await resolveTradeDispute(temporal, params.proposalId, {
          guildId: guildOf(ctx),
          moderatorId: auth.ownerUserId ?? `api-token:${auth.tokenId}`,
          level: auth.level,
          outcome: body.outcome,
          loserId: body.loserId,
          note: body.note ?? null,
        });
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/rate',
      summary: 'Rates the other party of a completed trade.',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      body: rateBody,
      responses: { 201: { description: 'Rated.', schema: z.object({ ok: z.literal(true) }) } },
      handler: async (ctx, { body }) => {
        await rateTrade(prisma, { proposalId: proposalOf(ctx).id, raterId: me(ctx), stars: body.stars, comment: body.comment ?? null });
        ctx.status = 201;
        ctx.body = { ok: true };
      },
    }),
    route({
      method: 'get',
      path: '/card-trades/:proposalId/messages',
      summary: 'The proposal’s messages between its parties, oldest first.',
      description: party,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      query: listQuery,
      responses: { 200: { description: 'A page of messages.', schema: z.object({ items: z.array(messageSchema), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const p = proposalOf(ctx);
        const after = q.cursor ? BigInt(decodeKeyCursor(q.cursor, 1)[0]!) : undefined;
        const rows = await listMessages(prisma, { proposalId: p.id, userId: me(ctx), after, limit: q.limit });
        const page = rows.slice(0, q.limit);
        ctx.body = {
          items: page.map((m) => ({ id: m.id.toString(), authorId: m.authorId, body: m.body, createdAt: m.createdAt.toISOString() })),
          nextCursor: rows.length > q.limit ? encodeKeyCursor([page.at(-1)!.id]) : null,
        };
      },
    }),
    route({
      method: 'post',
      path: '/card-trades/:proposalId/messages',
      summary: 'Posts a message to the other party of the proposal (relayed to them by DM and/or email, by their preference).',
      description: `${party} A trade that is over keeps the message but tells nobody (relayed false).`,
      tag,
      access: member,
      before: [findProposal],
      params: proposalParams,
      body: messageBody,
      responses: { 201: { description: 'The message, and whether the trade flow took it to relay.', schema: messageSchema.extend({ relayed: z.boolean() }) } },
      handler: async (ctx, { body }) => {
        const { message: m, relayed } = await postTradeMessage({ prisma, temporal }, { guildId: guildOf(ctx), proposalId: proposalOf(ctx).id, authorId: me(ctx), body: body.body, idempotencyKey: body.idempotencyKey });
        ctx.status = 201;
        ctx.body = { id: m.id.toString(), authorId: m.authorId, body: m.body, createdAt: m.createdAt.toISOString(), relayed };
      },
    }),
    route({
      method: 'get',
      path: '/card-profiles/:userId',
      summary: 'A member’s public trader profile (reputation tier, ratings, list sizes).',
      tag,
      access: member,
      params: profileParams,
      responses: { 200: { description: 'The profile.', schema: profileSchema } },
      handler: async (ctx, { params }) => {
        ctx.body = await traderProfile(prisma, params.userId);
      },
    }),
  ]);
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
