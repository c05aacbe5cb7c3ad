import type Router from '@koa/router';
import { z } from 'zod';
import { startPayoutOnboarding } from '../../activities/card-escrow';
import { cardTradeSettings, updateCardTradeSettings } from '../../activities/card-trades';
import { confirmEmailAddress, notificationSettings, NOTIFY_VIA, requestEmailAddress, setNotifyVia, unsubscribeByToken } from '../../activities/notify';
import { AppError } from '../../lib/errors';
import { escapeHtml } from '../../lib/mail';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteSpec, type RouteState } from '../openapi/route';
import { isoDate } from '../openapi/schemas';

const tokenQuery = z.object({ token: z.string().min(1).max(200) });
const emailBody = z.object({ address: z.string().min(3).max(254) });
const viaBody = z.object({ via: z.enum(NOTIFY_VIA) });
const tradeSettings = z.object({
  /** How long each version of a proposal's terms stands. */
  proposalExpiryHours: z.number().int().min(1).max(24 * 60),
  /** How long before the expiry both parties are reminded; 0: no reminder. */
  reminderHours: z.number().int().min(0).max(24 * 60),
  /** Days after acceptance by which both should have confirmed receipt (then reminded, admin log told). */
  confirmDays: z.number().int().min(1).max(365),
});
const htmlPage = (description: string) => ({ description, contentType: 'text/html', schema: z.string() });

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(text)}</p></body></html>`;

/**
 * A member's card trade notification settings and payout account:
 * - the links in emails (the token is the authority): `GET /api/cards/email/confirm?token=…`,
 *   `GET|POST /api/cards/unsubscribe?token=…` (POST: RFC 8058 one-click from List-Unsubscribe-Post);
 * - a member's own settings with their personal token: `/api/guilds/:guildId/cards/me/notifications`
 *   (GET, PUT {via}), `POST …/cards/me/email` {address} (sends the confirmation link),
 *   `POST …/cards/me/payouts` (Stripe Connect onboarding link for receiving trades' cash);
 * - the guild's trade timings for admins: `GET|PATCH /api/guilds/:guildId/cards/settings`.
 */
export function cardSettingsRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, log } = deps;
  const me = (ctx: RouteContext) => {
    const userId = ctx.state.auth.ownerUserId;
    // An operator's token has no person: the request names nobody whose settings these would be.
    if (!userId) throw new AppError('member_token_needed', "These are a member's own settings: use a member's personal token, not an operator's.", 400);
    return userId;
  };
  const tag = 'card-settings';
  const member = { kind: 'guild', level: 'user' } as const;
  const mine = '/api/guilds/:guildId/cards/me';
  const link = 'The token from the email is the authority; an unknown or used token is a 404.';

  const unsubscribe = (method: 'get' | 'post'): RouteSpec =>
    route({
      method,
      path: '/api/cards/unsubscribe',
      summary: method === 'get' ? 'The unsubscribe link in card trade emails.' : 'One-click unsubscribe (RFC 8058, from List-Unsubscribe-Post).',
      description: `${link} Email comes off the member's notification preference.`,
      tag,
      access: { kind: 'public' },
      query: tokenQuery,
      ...(method === 'post'
        ? { rawBody: { contentType: 'application/x-www-form-urlencoded', schema: z.object({ 'List-Unsubscribe': z.literal('One-Click') }), description: 'What mail clients send; not read.', required: false } }
        : {}),
      responses: { 200: htmlPage('A page saying where notifications go now.') },
      handler: async (ctx, { query }) => {
        const { notifyVia } = await unsubscribeByToken({ prisma }, query.token);
        ctx.type = 'html';
        ctx.body = page('Unsubscribed', `No more card trade emails. Notifications now go: ${notifyVia === 'none' ? 'nowhere' : 'by Discord DM'}.`);
      },
    });

  return routerOf(undefined, deps, [
    route({
      method: 'get',
      path: '/api/guilds/:guildId/cards/settings',
      summary: "The server's card trade timings: proposal expiry, reminder, receipts deadline.",
      tag,
      access: { kind: 'guild', level: 'admin' },
      responses: { 200: { description: 'The settings (defaults until changed).', schema: tradeSettings } },
      handler: async (ctx) => {
        ctx.body = await cardTradeSettings(prisma, ctx.params.guildId!);
      },
    }),
    route({
      method: 'patch',
      path: '/api/guilds/:guildId/cards/settings',
      summary: "Changes the server's card trade timings (trades proposed from now on use them).",
      tag,
      access: { kind: 'guild', level: 'admin' },
      body: tradeSettings.partial(),
      responses: { 200: { description: 'The settings now.', schema: tradeSettings } },
      handler: async (ctx, { body }) => {
        ctx.body = await updateCardTradeSettings(prisma, ctx.params.guildId!, body);
      },
    }),
    route({
      method: 'get',
      path: '/api/cards/email/confirm',
      summary: 'The confirmation link in the email sent to a new address.',
      description: link,
      tag,
      access: { kind: 'public' },
      query: tokenQuery,
      responses: { 200: htmlPage('A page saying the address is confirmed.') },
      handler: async (ctx, { query }) => {
        const { email } = await confirmEmailAddress({ prisma, log, mail: deps.mail }, query.token);
        ctx.type = 'html';
        ctx.body = page('Email confirmed', `${email} now gets card trade notifications when you choose email (/cards notify via:email or both).`);
      },
    }),
    unsubscribe('get'),
    unsubscribe('post'),
    route({
      method: 'get',
      path: `${mine}/notifications`,
      summary: "The acting member's card trade notification settings.",
      tag,
      access: member,
      responses: { 200: { description: 'Where notifications go, and the linked address.', schema: z.object({ notifyVia: z.enum(NOTIFY_VIA), email: z.string().nullable(), emailConfirmed: z.boolean() }) } },
      handler: async (ctx) => {
        ctx.body = await notificationSettings({ prisma }, me(ctx));
      },
    }),
    route({
      method: 'put',
      path: `${mine}/notifications`,
      summary: 'Where card trade notifications go (email, dm, both, none).',
      tag,
      access: member,
      body: viaBody,
      responses: { 200: { description: 'The setting now.', schema: z.object({ notifyVia: z.enum(NOTIFY_VIA), emailConfirmed: z.boolean() }) } },
      handler: async (ctx, { body }) => {
        ctx.body = await setNotifyVia({ prisma }, { userId: me(ctx), via: body.via });
      },
    }),
    route({
      method: 'post',
      path: `${mine}/email`,
      summary: 'Links an email address: sends it a confirmation link.',
      tag,
      access: member,
      body: emailBody,
      responses: { 202: { description: 'The confirmation email is sent; its link expires then.', schema: z.object({ status: z.literal('confirmation_sent'), expiresAt: isoDate }) } },
      handler: async (ctx, { body }) => {
        const { expiresAt } = await requestEmailAddress({ prisma, log, mail: deps.mail }, { userId: me(ctx), address: body.address });
        ctx.status = 202;
        ctx.body = { status: 'confirmation_sent', expiresAt: expiresAt.toISOString() };
      },
    }),
    route({
      method: 'post',
      path: `${mine}/payouts`,
      summary: "A Stripe Connect onboarding link for receiving trades' cash.",
      description: 'A 404 card_escrow_off when Stripe is not set up here.',
      tag,
      access: member,
      responses: { 200: { description: 'The payout account and where to finish setting it up.', schema: z.object({ accountId: z.string(), onboardingUrl: z.string(), ready: z.boolean() }) } },
      handler: async (ctx) => {
        // Off is "no such feature here", as for the Stripe webhook: 404.
        if (!deps.escrow) throw new AppError('card_escrow_off', 'Card trade escrow is not set up on this Guildflow (STRIPE_SECRET_KEY is not set).', 404);
        ctx.body = await startPayoutOnboarding({ prisma, log, escrow: deps.escrow }, { userId: me(ctx) });
      },
    }),
  ]);
}
