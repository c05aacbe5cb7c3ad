import type Router from '@koa/router';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Context, Next } from 'koa';
import {
  deliveredLines,
  linkByRobloxId,
  loadGameSecret,
  parseDepositBody,
  parseRobloxId,
  pendingWithdrawals,
  recordDepositReport,
  recordHeartbeat,
  useNonce,
  isVariant,
} from '../../activities/trades';
import type { CodeKeyring } from '../../lib/crypto/codes';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import { requireSwitchedOn } from '../../lib/feature-switches';
import { depositId, type Delivery, type ReportedPet } from '../../lib/flows/trades';
import { claimWithdrawal, confirmWithdrawal, reportDeposit } from '../../lib/flows/trades.client';
import { GAME_SIGNATURE_HEADERS, verifyGameSignature } from '../../lib/roblox/game-signature';
import { createTokenBuckets, type TokenBucketRule } from '../../lib/token-bucket';
import type { PrismaClient } from '../../prisma/client';
import { parseJsonBody, readRawBody } from '../body';
import { flowTargetOf, type RouteDeps } from '../deps';
import { createGameInventory } from '../game-inventory';
import { route, routerOf, type RouteState } from '../openapi/route';
import { decimalString, json } from '../openapi/schemas';

const GAME_API_PREFIX = '/roblox/v1';
const MAX_SKEW_SECONDS = 300;

export interface GameApiDeps {
  prisma: PrismaClient;
  temporal?: Client;
  taskQueue?: string;
  /** Decrypts the games' HMAC secrets; absent, the game API answers 503. */
  codes?: CodeKeyring | null;
  /** The server's clock (tests move it). */
  now?: () => Date;
  /** Each game's budget; absent, no limit. */
  rateLimit?: TokenBucketRule;
}

export interface GameState {
  game: { id: string; guildId: string };
  raw: Buffer;
}

class GameAuthError extends AppError {
  constructor(reason: string, message: string) {
    super(reason, message, 401);
  }
}

const REASONS: Record<string, string> = {
  missing_headers: `Sign the request: ${Object.values(GAME_SIGNATURE_HEADERS).join(', ')} are all required.`,
  bad_timestamp: 'X-Guildflow-Timestamp must be Unix seconds.',
  stale_timestamp: `The timestamp is more than ${MAX_SKEW_SECONDS} seconds from the server's clock (check os.time()).`,
  bad_nonce: 'X-Guildflow-Nonce must be 16–64 characters of [A-Za-z0-9_-].',
  bad_signature: 'The signature does not match (secret, or the signed timestamp/nonce/method/path/body).',
  unknown_game: 'X-Guildflow-Game is not a registered game (or it was revoked).',
  nonce_reused: 'This nonce was already used: send a new one with every request.',
};

/**
 * The signed game-server API. Every request under /roblox/v1 passes `gameAuth` before anything
 * reads or changes data: the raw body is read once, the game's secret decrypted, the signature checked in
 * constant time within ±300 s (lib/roblox/game-signature.ts), and the nonce recorded in the database
 * (roblox_game_nonces) so a replay is refused in every API process. Any failure is a 401 whose code says
 * why, and nothing changed. The game acts for its guild only. Flows are reached through
 * lib/flows/trades.client.ts: Temporal unreachable is 503 `temporal_unavailable`, a withdrawal's refusal
 * is 409 with the flow's code (`withdrawal_closed`, `withdrawal_claimed`, `over_delivery`…).
 */
function gameAuth(deps: GameApiDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const required = Object.values(GAME_SIGNATURE_HEADERS).every((h) => ctx.get(h) !== '');
    if (!required) throw new GameAuthError('missing_headers', REASONS.missing_headers!);
    if (!deps.codes) throw new AppError('trades_disabled', 'The game API is off: set CODE_ENCRYPTION_KEY so game secrets can be stored.', 503);
    const raw = await readRawBody(ctx, 64 * 1024);
    const gameId = ctx.get(GAME_SIGNATURE_HEADERS.game);
    const game = await loadGameSecret(deps.prisma, deps.codes, gameId);
    if (!game) throw new GameAuthError('unknown_game', REASONS.unknown_game!);
    const now = deps.now?.() ?? new Date();
    const result = verifyGameSignature({ secret: game.secret, method: ctx.method, path: ctx.originalUrl, body: raw, headers: ctx.headers, now, maxSkewSeconds: MAX_SKEW_SECONDS });
    if (!result.ok) throw new GameAuthError(result.reason, REASONS[result.reason]!);
    const ts = Number(ctx.get(GAME_SIGNATURE_HEADERS.timestamp));
    // Kept until the timestamp itself falls out of the window: after that the request is stale anyway.
    const fresh = await useNonce(deps.prisma, game.id, ctx.get(GAME_SIGNATURE_HEADERS.nonce), new Date((ts + MAX_SKEW_SECONDS + 1) * 1000), now);
    if (!fresh) throw new GameAuthError('nonce_reused', REASONS.nonce_reused!);
    ctx.state.game = { id: game.id, guildId: game.guildId };
    ctx.state.raw = raw;
    ctx.state.log = ctx.state.log?.child({ gameId: game.id, guildId: game.guildId });
    await next();
  };
}

/**
 * Each game's request budget (a token bucket per game id in this process). It runs after `gameAuth`, so
 * only a request signed with the game's secret and carrying a fresh nonce spends that game's tokens: a
 * forged game id or a replayed request is a 401 that costs the game nothing. A refused request is a 429
 * with Retry-After and changed nothing (its nonce stays used; every request brings a new one anyway).
 */
function gameRateLimit(rule: TokenBucketRule) {
  const buckets = createTokenBuckets(rule);
  return async (ctx: Context, next: Next): Promise<void> => {
    const { game } = ctx.state as GameState;
    const decision = buckets.take(game.id);
    if (!decision.allowed) {
      ctx.set('Retry-After', String(decision.retryAfterSeconds));
      throw new AppError('rate_limited', `This game sends more than ${rule.perSecond} requests per second (bursts up to ${rule.burst}): retry after ${decision.retryAfterSeconds} s.`, 429, { retryAfterSeconds: decision.retryAfterSeconds });
    }
    await next();
  };
}

const notLinkedHere = () => new AppError('not_linked', 'This Roblox account is not linked to a Discord member here: run /verify in Discord.', 404);

function jsonOf(ctx: Context): unknown {
  const raw = (ctx.state as GameState).raw;
  return raw.length === 0 ? {} : parseJsonBody(raw);
}

function parsePets(v: unknown): ReportedPet[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 100) throw new ValidationError('pets: a list of { species, variant, quantity }.');
  return v.map((p: Record<string, unknown>, i) => {
    const variant = p?.variant ?? 'normal';
    if (typeof p?.species !== 'string' || !isVariant(variant) || typeof p.quantity !== 'number' || !Number.isSafeInteger(p.quantity) || p.quantity < 0) {
      throw new ValidationError(`pets[${i}]: { species, variant, quantity ≥ 0 }.`);
    }
    return { species: p.species, variant, quantity: p.quantity };
  });
}

const robloxUserParams = z.object({ robloxUserId: z.string().meta({ description: 'A Roblox user id (digits).' }) });
const withdrawalParams = z.object({ id: z.string() });
const pet = z.object({ species: z.string(), variant: z.string().default('normal'), quantity: z.number().int().min(0) });
const signed = (schema: z.ZodType, description: string) => ({ contentType: 'application/json', schema, description: `${description} Signed as sent: the signature covers these exact bytes.` });
const TAG = 'roblox-game';
const access = { kind: 'signature', scheme: 'robloxGameSignature' } as const;

export function robloxGameRoutes({ prisma, temporal, taskQueue, codes, gameClock, gameRateLimit: rateLimit, checkResponses }: RouteDeps): Router<RouteState> {
  const deps: GameApiDeps = { prisma, temporal, taskQueue, codes, now: gameClock, rateLimit };
  // Every request is signed and within the game's budget before anything reads or changes data.
  const before = [gameAuth(deps), ...(deps.rateLimit ? [gameRateLimit(deps.rateLimit)] : [])];
  const inventoryOf = createGameInventory(deps.prisma);

  async function withdrawalOf(ctx: Context) {
    const { game } = ctx.state as GameState;
    const id = String((ctx as Context & { params: Record<string, string> }).params.id);
    const w = await deps.prisma.withdrawal.findUnique({ where: { id } });
    if (!w || w.guildId !== game.guildId) throw new NotFoundError('No such withdrawal in this game\'s server.');
    if (w.status !== 'escrowed') throw new AppError('withdrawal_closed', `This withdrawal is ${w.status}; do not deliver it.`, 409);
    return { game, w };
  }

  return routerOf(GAME_API_PREFIX, { prisma, checkResponses }, [
    /** Which Discord member a Roblox player is linked to in the game's guild. */
    route({
      method: 'get',
      path: '/links/:robloxUserId',
      summary: "Which Discord member a Roblox player is linked to in the game's server.",
      tag: TAG,
      access,
      before,
      params: robloxUserParams,
      responses: { 200: { description: 'Linked.', schema: z.object({ linked: z.literal(true), discordUserId: z.string(), robloxUserId: z.string(), robloxName: z.string() }) } },
      handler: async (ctx, { params }) => {
        const { game } = ctx.state as unknown as GameState;
        const link = await linkByRobloxId(deps.prisma, game.guildId, parseRobloxId(params.robloxUserId));
        if (!link) throw notLinkedHere();
        ctx.body = { linked: true, discordUserId: link.userId, robloxUserId: link.robloxId, robloxName: link.robloxName };
      },
    }),
    /**
     * A linked player's gems and pets (api/game-inventory.ts). Only links of the game's own guild count: a
     * player linked in another guild is `not_linked` here, like one linked nowhere.
     */
    route({
      method: 'get',
      path: '/players/:robloxUserId/inventory',
      summary: "A linked player's gems and pets.",
      tag: TAG,
      access,
      before,
      params: robloxUserParams,
      responses: { 200: { description: 'The inventory.', schema: z.looseObject({ robloxUserId: z.string(), discordUserId: z.string() }) } },
      handler: async (ctx, { params }) => {
        const { game } = ctx.state as unknown as GameState;
        const robloxUserId = parseRobloxId(params.robloxUserId);
        const link = await linkByRobloxId(deps.prisma, game.guildId, robloxUserId);
        if (!link) throw notLinkedHere();
        ctx.body = { robloxUserId: link.robloxId, discordUserId: link.userId, ...(await inventoryOf(game.guildId, link.userId)) };
      },
    }),
    /**
     * A deposit: recorded as signed, then deposit:{gameId}:{tradeId} runs and the answer is its outcome. A
     * repeat gets the same answer; the flow credits only what was recorded here. Refusals (422) carry a
     * reason code: `not_linked`, `unknown_pet`, `over_limit`, `daily_cap` (the game's cap for the UTC day).
     * With trades switched off in the server, a new deposit is 409 `feature_disabled` and nothing is recorded.
     */
    route({
      method: 'post',
      path: '/deposits',
      summary: 'Reports a deposit; the answer is its outcome (a repeat gets the same answer).',
      tag: TAG,
      access,
      before,
      rawBody: signed(z.object({ tradeId: z.string(), robloxUserId: z.union([z.string(), z.number()]), serverId: z.string().optional(), gems: z.union([z.string(), z.number()]).optional(), pets: z.array(pet).optional() }), 'The deposit.'),
      responses: {
        200: { description: 'Credited.', schema: z.object({ status: z.literal('credited'), depositId: z.string(), discordUserId: z.string() }) },
        422: { description: 'Refused: `reason` says why (not_linked, unknown_pet, over_limit, daily_cap).', schema: z.object({ status: z.literal('refused'), depositId: z.string(), reason: z.string(), message: z.string() }) },
      },
      handler: async (ctx) => {
        const { game } = ctx.state as unknown as GameState;
        const body = parseDepositBody(jsonOf(ctx));
        const report = { depositId: depositId(game.id, body.tradeId), guildId: game.guildId, gameId: game.id, tradeId: body.tradeId, robloxUserId: body.robloxUserId, serverId: body.serverId, gems: body.gems, pets: body.pets };
        const id = report.depositId;
        // A server with trades switched off takes no new deposits; one already reported still gets its answer.
        if (!(await deps.prisma.gameDeposit.findUnique({ where: { id }, select: { id: true } }))) await requireSwitchedOn(deps.prisma, game.guildId, 'trades');
        await recordDepositReport(deps.prisma, report);
        // Answered as soon as it is credited or refused, without waiting for the receipt DM.
        const result = await reportDeposit(flowTargetOf(deps), report, `Roblox deposit ${body.tradeId} from game ${game.id} (player ${body.robloxUserId})`);
        if (result.status === 'refused') {
          ctx.status = 422;
          ctx.body = { status: 'refused', depositId: id, reason: result.reason, message: result.message };
          return;
        }
        ctx.body = { status: 'credited', depositId: id, discordUserId: result.userId };
      },
    }),
    /** Escrowed withdrawals of the players on a server: `?players=1,2,3`. */
    route({
      method: 'get',
      path: '/withdrawals',
      summary: 'Escrowed withdrawals of the players on a server.',
      tag: TAG,
      access,
      before,
      // Checked by the handler (its own message); declared for the document.
      query: z.object({ players: z.union([z.string(), z.array(z.string())]).optional().meta({ description: '1–200 Roblox user ids, comma-separated.' }) }),
      responses: { 200: { description: 'The withdrawals.', schema: z.object({ withdrawals: z.array(z.looseObject({ id: z.string() })) }) } },
      handler: async (ctx, { query }) => {
        const { game } = ctx.state as unknown as GameState;
        const players = String(query.players ?? '').split(',').filter(Boolean);
        if (players.length === 0 || players.length > 200) throw new ValidationError('players: 1–200 Roblox user ids, comma-separated.');
        const ids = players.map(parseRobloxId);
        ctx.body = { withdrawals: await pendingWithdrawals(deps.prisma, game.guildId, ids) };
      },
    }),
    /** The game takes a withdrawal before it gives anything: from now on the member cannot cancel it. */
    route({
      method: 'post',
      path: '/withdrawals/:id/claim',
      summary: 'Takes a withdrawal before delivering it (the member can no longer cancel it).',
      tag: TAG,
      access,
      before,
      params: withdrawalParams,
      rawBody: signed(z.object({}), 'Empty, or an empty object.'),
      responses: { 200: { description: 'Claimed.', schema: z.object({ claimed: z.literal(true), withdrawalId: z.string() }) } },
      handler: async (ctx) => {
        const { game, w } = await withdrawalOf(ctx);
        await claimWithdrawal(deps.temporal, w.id, game.id);
        ctx.body = { claimed: true, withdrawalId: w.id };
      },
    }),
    /** What the game delivered (`{ delivered: { gems, pets } }`), or that it could not (`{ failed: reason }`). */
    route({
      method: 'post',
      path: '/withdrawals/:id/confirm',
      summary: 'What the game delivered, or that it could not.',
      tag: TAG,
      access,
      before,
      params: withdrawalParams,
      rawBody: signed(z.union([z.object({ delivered: z.object({ gems: z.union([decimalString, z.number().int()]).optional(), pets: z.array(pet).optional() }) }), z.object({ failed: z.string() })]), 'The delivery.'),
      responses: { 200: { description: 'The withdrawal’s outcome.', schema: z.object({ withdrawalId: z.string(), outcome: json }) } },
      handler: async (ctx) => {
        const { game, w } = await withdrawalOf(ctx);
        const body = jsonOf(ctx) as { delivered?: { gems?: unknown; pets?: unknown }; failed?: unknown };
        let delivery: Delivery;
        if (typeof body.failed === 'string' && body.failed.length > 0) {
          delivery = { gameId: game.id, gems: '0', pets: [], failure: body.failed.slice(0, 200) };
        } else {
          if (typeof body.delivered !== 'object' || body.delivered === null) throw new ValidationError('Send { delivered: { gems, pets } } or { failed: "reason" }.');
          const gemsRaw = body.delivered.gems ?? 0;
          const gems = typeof gemsRaw === 'number' && Number.isSafeInteger(gemsRaw) && gemsRaw >= 0 ? String(gemsRaw) : gemsRaw;
          if (typeof gems !== 'string' || !/^[0-9]{1,19}$/.test(gems)) throw new ValidationError('delivered.gems: a whole number ≥ 0.');
          const pets = await deliveredLines(deps.prisma, w, parsePets(body.delivered.pets).filter((p) => p.quantity > 0));
          delivery = { gameId: game.id, gems, pets, failure: null };
        }
        const r = await confirmWithdrawal(deps.temporal, w.id, delivery);
        ctx.body = { withdrawalId: w.id, outcome: r.outcome };
      },
    }),
    route({
      method: 'post',
      path: '/heartbeat',
      summary: 'A game server says it is alive (and how many players it has).',
      tag: TAG,
      access,
      before,
      rawBody: signed(z.object({ serverId: z.string().optional(), players: z.array(z.unknown()).optional() }), 'The server.'),
      responses: { 200: { description: 'Recorded.', schema: z.object({ ok: z.literal(true), serverTime: z.number().int() }) } },
      handler: async (ctx) => {
        const { game } = ctx.state as unknown as GameState;
        const body = jsonOf(ctx) as { serverId?: unknown; players?: unknown };
        const serverId = typeof body.serverId === 'string' ? body.serverId.slice(0, 100) : null;
        const players = Array.isArray(body.players) ? body.players.length : null;
        await recordHeartbeat(deps.prisma, game.id, serverId, players);
        ctx.body = { ok: true, serverTime: Math.floor((deps.now?.() ?? new Date()).getTime() / 1000) };
      },
    }),
  ]);
}
