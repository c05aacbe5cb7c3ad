import type Router from '@koa/router';
import { z } from 'zod';
import { freshOnboardingLink, payerClientSecret, payoutAccountView, payView } from '../../activities/card-escrow';
import type { RouteDeps } from '../deps';
import { requireDashboardSession, sessionClaimsOf } from '../dashboard-auth/session-guard';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { CARD_PAGES_SCRIPT_PATH, cardPagesScript, onboardPage, OWN_PAGE_CSP, payoutsPage, payPage } from '../web/card-pages';

const TAG = 'card-trades';
const html = { description: 'HTML.', contentType: 'text/html', schema: z.string() };
const proposalParams = z.object({ proposalId: z.string().min(1).max(100) });
const escrowStatus = z.enum(['pending', 'held', 'failed', 'refunded', 'released']);

/**
 * Where a card trade's cash is paid and a payee's payout account is set up, for the signed-in member (the
 * dashboard's Discord login; its access token for the JSON routes):
 * - `GET /cards/pay/:proposalId`: the payer's pay page (Stripe's Payment Element); Stripe comes back to it.
 * - `GET /api/cards/pay/:proposalId`: the escrow as our read of Stripe says, for either party.
 * - `GET /api/cards/pay/:proposalId/client-secret`: the PaymentIntent's client secret, for the payer only.
 * - `GET|POST /api/cards/payouts/onboard`: Connect onboarding's refresh_url (a page) and a fresh link.
 * - `GET /api/cards/payouts`, `GET /api/cards/payouts/account`: its return_url (a page) and the account as Stripe reports it.
 */
export function cardPayRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma, log } = deps;
  const serviceDeps = () => ({ prisma, log, escrow: deps.escrow });
  const session = { access: { kind: 'session' } as const, before: [requireDashboardSession(deps.dashboardSessions)] };
  const me = (ctx: RouteContext) => sessionClaimsOf(ctx).userId;
  const page = (ctx: RouteContext, body: string, csp = OWN_PAGE_CSP) => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = body;
  };

  return routerOf(undefined, deps, [
    route({
      method: 'get',
      path: '/cards/pay/:proposalId',
      summary: "The payer's pay page for a trade's cash part (Stripe's Payment Element).",
      description: 'Also where Stripe comes back after a payment: the page shows the escrow as GET /api/cards/pay/{proposalId} says, never the query string.',
      tag: TAG,
      access: { kind: 'public' },
      params: proposalParams,
      responses: { 200: html },
      handler: (ctx, { params }) => {
        const { html: body, csp } = payPage(params.proposalId, deps.escrow?.publishableKey);
        page(ctx, body, csp);
      },
    }),
    route({
      method: 'get',
      path: CARD_PAGES_SCRIPT_PATH,
      summary: "The card pages' script (pay, payout onboarding).",
      tag: TAG,
      access: { kind: 'public' },
      responses: { 200: { description: 'JavaScript.', contentType: 'text/javascript', schema: z.string() } },
      handler: (ctx) => {
        ctx.set('Cache-Control', 'no-cache');
        ctx.type = 'text/javascript; charset=utf-8';
        ctx.body = cardPagesScript;
      },
    }),
    route({
      method: 'get',
      path: '/api/cards/pay/:proposalId',
      summary: "A trade's cash part as our read of Stripe says, for either party.",
      description: 'A 404 for anyone else, as for a trade that does not exist.',
      tag: TAG,
      ...session,
      params: proposalParams,
      responses: {
        200: {
          description: 'The escrow; escrowStatus null while no payment is open.',
          schema: z.object({ proposalId: z.string(), role: z.enum(['payer', 'payee']), tradeStatus: z.string(), escrowStatus: escrowStatus.nullable(), amountCents: z.number().int(), currency: z.string() }),
        },
      },
      handler: async (ctx, { params }) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = await payView(serviceDeps(), { proposalId: params.proposalId, userId: me(ctx) });
      },
    }),
    route({
      method: 'get',
      path: '/api/cards/pay/:proposalId/client-secret',
      summary: "The PaymentIntent's client secret for Stripe's Payment Element: the payer's only.",
      description: 'A 403 for the payee, a 404 for anyone else, a 409 naming the state when the trade is not waiting for the payment.',
      tag: TAG,
      ...session,
      params: proposalParams,
      responses: { 200: { description: 'Read from Stripe now.', schema: z.object({ clientSecret: z.string(), amountCents: z.number().int(), currency: z.string() }) } },
      handler: async (ctx, { params }) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = await payerClientSecret(serviceDeps(), { proposalId: params.proposalId, userId: me(ctx) });
      },
    }),
    route({
      method: 'get',
      path: '/api/cards/payouts/onboard',
      summary: "Connect onboarding's refresh_url: a page that signs in and opens a fresh onboarding link.",
      tag: TAG,
      access: { kind: 'public' },
      responses: { 200: html },
      handler: (ctx) => page(ctx, onboardPage()),
    }),
    route({
      method: 'post',
      path: '/api/cards/payouts/onboard',
      summary: "A fresh Stripe onboarding link for the member's own payout account.",
      description: 'A 404 when they have none yet.',
      tag: TAG,
      ...session,
      responses: { 200: { description: 'Single use, short-lived (Stripe).', schema: z.object({ onboardingUrl: z.string() }) } },
      handler: async (ctx) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { onboardingUrl: await freshOnboardingLink(serviceDeps(), { userId: me(ctx) }) };
      },
    }),
    route({
      method: 'get',
      path: '/api/cards/payouts',
      summary: "Connect onboarding's return_url: a page saying whether payouts are ready, or what is missing.",
      tag: TAG,
      access: { kind: 'public' },
      responses: { 200: html },
      handler: (ctx) => page(ctx, payoutsPage()),
    }),
    route({
      method: 'get',
      path: '/api/cards/payouts/account',
      summary: "The member's payout account as Stripe reports it now (stored for the escrow).",
      tag: TAG,
      ...session,
      responses: {
        200: {
          description: 'ready: payouts enabled; missing: what Stripe still needs.',
          schema: z.object({ accountId: z.string(), ready: z.boolean(), detailsSubmitted: z.boolean(), payoutsEnabled: z.boolean(), missing: z.array(z.string()) }),
        },
      },
      handler: async (ctx) => {
        ctx.set('Cache-Control', 'no-store');
        ctx.body = await payoutAccountView(serviceDeps(), { userId: me(ctx) });
      },
    }),
  ]);
}
