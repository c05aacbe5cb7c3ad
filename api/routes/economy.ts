import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import {
  adjustBalance,
  currencyOf,
  getEconomySettings,
  RateLimitedError,
  settingsJson,
  updateEconomySettings,
  type EconomySettings,
} from '../../activities/economy';
import { createLedger, type Asset } from '../../activities/ledger';
import { tokenActor } from '../auth';
import { balanceAdjustment, economySettingsPatch } from '../../lib/requests/economy';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { decimalString, isoDate } from '../openapi/schemas';

function settingsBody(guildId: string, settings: EconomySettings, currency: Asset) {
  return { guildId, ...settingsJson(settings), currency: { name: currency.name, emoji: currency.emoji } };
}

const currencyJson = z.object({ name: z.string(), emoji: z.string() });
const settingsResponse = z
  .object({
    guildId: z.string(),
    dailyAmount: decimalString,
    dailyCooldownSeconds: z.number(),
    dailyStreakBonus: decimalString,
    dailyStreakMax: z.number(),
    dailyStreakGraceSeconds: z.number(),
    adminAdjustLimitPerMinute: z.number(),
    currency: currencyJson,
  })
  .meta({ id: 'EconomySettings' });
const adjustmentResponse = z.object({
  replayed: z.boolean(),
  balance: decimalString,
  currency: currencyJson,
  entry: z.object({
    id: decimalString,
    key: z.string(),
    type: z.string(),
    reason: z.string().nullable(),
    actor: z.object({ type: z.string(), id: z.string() }),
    createdAt: isoDate,
    postings: z.array(z.object({ account: z.object({ ownerType: z.string(), ownerId: z.string() }), asset: z.string(), amount: decimalString, balanceAfter: decimalString })),
  }),
});
const TAG = 'economy';

/**
 * The guild economy for the dashboard: settings (mods read, admins change) and admin balance adjustments,
 * through the same functions and the same per-person rate limit as `/economy` in Discord.
 */
export function economyRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  const ledger = createLedger(prisma);
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;

  return routerOf('/api/guilds/:guildId/economy', deps, [
    route({
      method: 'get',
      path: '/settings',
      summary: 'The economy settings and the currency.',
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'The settings.', schema: settingsResponse } },
      handler: async (ctx) => {
        const guildId = guildOf(ctx);
        const [settings, currency] = await Promise.all([getEconomySettings(prisma, guildId), currencyOf(ledger, guildId)]);
        ctx.body = settingsBody(guildId, settings, currency);
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      summary: 'Changes the economy settings (ranges checked as in /economy).',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      // Types here; ranges and "at least one" in the service, which the bot shares.
      body: economySettingsPatch,
      responses: { 200: { description: 'The settings now.', schema: settingsResponse } },
      handler: async (ctx, { body: change }) => {
        const guildId = guildOf(ctx);
        const { settings, currency } = await updateEconomySettings(prisma, { guildId, actor: tokenActor(ctx.state.auth), change });
        ctx.body = settingsBody(guildId, settings, currency);
      },
    }),
    route({
      method: 'post',
      path: '/adjustments',
      summary: "Adds to or removes from a member's balance (rate-limited per person, idempotent by key).",
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      body: balanceAdjustment,
      responses: {
        201: { description: 'Applied.', schema: adjustmentResponse },
        200: { description: 'This idempotency key was already applied: the first result.', schema: adjustmentResponse },
      },
      handler: async (ctx, { body: input }) => {
        const { tokenId } = ctx.state.auth;
        try {
          // The token's person makes the change and spends their own budget, shared with their /economy.
          const result = await adjustBalance(prisma, {
            guildId: guildOf(ctx),
            actor: tokenActor(ctx.state.auth),
            userId: input.userId,
            amount: input.amount,
            reason: input.reason,
            key: `token:${tokenId}:${input.idempotencyKey ?? randomUUID()}`,
          });
          ctx.status = result.replayed ? 200 : 201;
          ctx.body = {
            replayed: result.replayed,
            balance: result.balance.toString(),
            currency: { name: result.currency.name, emoji: result.currency.emoji },
            entry: {
              id: result.entry.id.toString(),
              key: result.entry.key,
              type: result.entry.type,
              reason: result.entry.reason,
              actor: result.entry.actor,
              createdAt: result.entry.createdAt,
              postings: result.entry.postings.map((p) => ({ account: p.account, asset: p.asset, amount: p.amount.toString(), balanceAfter: p.balanceAfter.toString() })),
            },
          };
        } catch (err) {
          if (err instanceof RateLimitedError) ctx.set('Retry-After', String(err.retryAfterSeconds));
          throw err;
        }
      },
    }),
  ]);
}
