import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import {
  adjustBalance,
  currencyOf,
  getEconomySettings,
  MAX_REASON_LENGTH,
  RateLimitedError,
  settingsJson,
  updateEconomySettings,
  type EconomySettings,
} from '../../activities/economy';
import { createLedger, type Asset } from '../../activities/ledger';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, tokenActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import { snowflake } from '../../lib/discord/snowflake';
import type { RouteDeps } from '../deps';

/** Amounts travel as decimal strings (bigint does not survive JSON); small ones may come as numbers. */
const amountValue = z.union([z.string().regex(/^-?\d{1,19}$/, 'must be an integer, as a string'), z.number().int('must be an integer').refine(Number.isSafeInteger, 'is too large for a number: send it as a string')]).transform((v) => BigInt(v));

const settingsPatch = z
  .object({
    dailyAmount: amountValue,
    dailyCooldownSeconds: z.number(),
    dailyStreakBonus: amountValue,
    dailyStreakMax: z.number(),
    dailyStreakGraceSeconds: z.number(),
    adminAdjustLimitPerMinute: z.number(),
    currencyName: z.string(),
    currencyEmoji: z.string(),
  })
  .partial()
  .strict();

const adjustmentBody = z
  .object({
    userId: snowflake,
    amount: amountValue.refine((v) => v !== 0n, 'must not be 0 (positive adds, negative removes)'),
    reason: z.string().trim().min(1, 'is required: it is recorded with the change').max(MAX_REASON_LENGTH),
    idempotencyKey: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1–100 characters: letters, digits, . _ : -')
      .optional(),
  })
  .strict();

type State = AuthState & { log: Logger };

function settingsBody(guildId: string, settings: EconomySettings, currency: Asset) {
  return { guildId, ...settingsJson(settings), currency: { name: currency.name, emoji: currency.emoji } };
}

/**
 * The guild economy for the dashboard: settings (mods read, admins change) and admin balance adjustments,
 * through the same functions and the same per-person rate limit as `/economy` in Discord.
 */
export function economyRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/economy' });
  const ledger = createLedger(prisma);

  router.get('/settings', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { guildId } = ctx.params as { guildId: string };
    const [settings, currency] = await Promise.all([getEconomySettings(prisma, guildId), currencyOf(ledger, guildId)]);
    ctx.body = settingsBody(guildId, settings, currency);
  });

  router.patch('/settings', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as { guildId: string };
    // Types here; ranges and "at least one" in the service, which the bot shares.
    const change = settingsPatch.parse(await readJsonBody(ctx));
    const { settings, currency } = await updateEconomySettings(prisma, { guildId, actor: tokenActor(ctx.state.auth), change });
    ctx.body = settingsBody(guildId, settings, currency);
  });

  router.post('/adjustments', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as { guildId: string };
    const input = adjustmentBody.parse(await readJsonBody(ctx));
    const { tokenId } = ctx.state.auth;
    try {
      // The token's person makes the change and spends their own budget, shared with their /economy.
      const result = await adjustBalance(prisma, {
        guildId,
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
  });

  return router;
}
