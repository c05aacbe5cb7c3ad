import Router from '@koa/router';
import { z } from 'zod';
import { startPayoutOnboarding } from '../../activities/card-escrow';
import { confirmEmailAddress, notificationSettings, NOTIFY_VIA, requestEmailAddress, setNotifyVia, unsubscribeByToken } from '../../activities/notify';
import { AppError } from '../../lib/errors';
import { escapeHtml } from '../../lib/mail';
import { type AuthState, requireGuildToken } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';

type State = AuthState & Record<string, unknown>;

const tokenQuery = z.object({ token: z.string().min(1).max(200) });
const emailBody = z.object({ address: z.string().min(3).max(254) });
const viaBody = z.object({ via: z.enum(NOTIFY_VIA) });

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(text)}</p></body></html>`;

/**
 * A member's card trade notification settings and payout account:
 * - the links in emails (the token is the authority): `GET /api/cards/email/confirm?token=…`,
 *   `GET|POST /api/cards/unsubscribe?token=…` (POST: RFC 8058 one-click from List-Unsubscribe-Post);
 * - a member's own settings with their personal token: `/api/guilds/:guildId/cards/me/notifications`
 *   (GET, PUT {via}), `POST …/cards/me/email` {address} (sends the confirmation link),
 *   `POST …/cards/me/payouts` (Stripe Connect onboarding link for receiving trades' cash).
 */
export function cardSettingsRoutes(deps: RouteDeps): Router<State> {
  const { prisma, log } = deps;
  const router = new Router<State>();
  const me = (ctx: { state: State }) => {
    const userId = ctx.state.auth.ownerUserId;
    // An operator's token has no person: the request names nobody whose settings these would be.
    if (!userId) throw new AppError('member_token_needed', "These are a member's own settings: use a member's personal token, not an operator's.", 400);
    return userId;
  };

  router.get('/api/cards/email/confirm', async (ctx) => {
    const { token } = tokenQuery.parse(ctx.query);
    const { email } = await confirmEmailAddress({ prisma, log, mail: deps.mail }, token);
    ctx.type = 'html';
    ctx.body = page('Email confirmed', `${email} now gets card trade notifications when you choose email (/cards notify via:email or both).`);
  });

  const unsubscribe = async (ctx: Parameters<Parameters<typeof router.get>[1]>[0]) => {
    const { token } = tokenQuery.parse(ctx.query);
    const { notifyVia } = await unsubscribeByToken({ prisma }, token);
    ctx.type = 'html';
    ctx.body = page('Unsubscribed', `No more card trade emails. Notifications now go: ${notifyVia === 'none' ? 'nowhere' : 'by Discord DM'}.`);
  };
  router.get('/api/cards/unsubscribe', unsubscribe);
  router.post('/api/cards/unsubscribe', unsubscribe);

  const mine = '/api/guilds/:guildId/cards/me';
  router.get(`${mine}/notifications`, requireGuildToken(prisma, 'user'), async (ctx) => {
    ctx.body = await notificationSettings({ prisma }, me(ctx));
  });
  router.put(`${mine}/notifications`, requireGuildToken(prisma, 'user'), async (ctx) => {
    const { via } = viaBody.parse(await readJsonBody(ctx));
    ctx.body = await setNotifyVia({ prisma }, { userId: me(ctx), via });
  });
  router.post(`${mine}/email`, requireGuildToken(prisma, 'user'), async (ctx) => {
    const { address } = emailBody.parse(await readJsonBody(ctx));
    const { expiresAt } = await requestEmailAddress({ prisma, log, mail: deps.mail }, { userId: me(ctx), address });
    ctx.status = 202;
    ctx.body = { status: 'confirmation_sent', expiresAt: expiresAt.toISOString() };
  });
  router.post(`${mine}/payouts`, requireGuildToken(prisma, 'user'), async (ctx) => {
    // Off is "no such feature here", as for the Stripe webhook: 404.
    if (!deps.escrow) throw new AppError('card_escrow_off', 'Card trade escrow is not set up on this Guildflow (STRIPE_SECRET_KEY is not set).', 404);
    ctx.body = await startPayoutOnboarding({ prisma, log, escrow: deps.escrow }, { userId: me(ctx) });
  });
  return router;
}
