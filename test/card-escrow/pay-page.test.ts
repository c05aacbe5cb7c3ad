import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openEscrow, startPayoutOnboarding } from '../../activities/card-escrow';
import { createApp } from '../../api/app';
import { signAccessToken } from '../../api/dashboard-auth/jwt';
import { createDashboardSessions } from '../../api/dashboard-auth/runtime';
import { type EscrowHarness, startEscrowHarness } from './helpers';

/**
 * The payer's pay page and the Connect onboarding return pages, through the real API app with the
 * production Stripe client at the fake Stripe. Members act with dashboard access tokens, as the pages'
 * script gets them from the refresh cookie. Stripe.js itself cannot load here (no internet): the routes,
 * the page's HTML and headers are tested, not Stripe's widget.
 */
jest.setTimeout(120_000);

const SECRET = 'pay-page-session-secret-0123456789abcdef-0123';
const PK = 'pk_test_pay_page_publishable';
const GUILD = '900000000000000001';
const PAYER = '910000000000000001';
const PAYEE = '910000000000000002';
const STRANGER = '910000000000000003';

let h: EscrowHarness;
const servers: Server[] = [];
let base: string;
let baseWithoutKey: string;
const tokens = new Map<string, string>();

async function listen(withKey: boolean): Promise<string> {
  const app = createApp({ prisma: h.db.prisma, log: h.log, readiness: [], escrow: { ...h.escrow, publishableKey: withKey ? PK : undefined }, dashboardAuth: { sessionSecret: SECRET } });
  const server = createServer(app.callback());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A signed-in member's access token (their session opened as the Discord login would). */
async function signIn(userId: string): Promise<string> {
  const sessions = createDashboardSessions(h.db.prisma, { sessionSecret: SECRET });
  const { family } = await sessions.store.open({ id: userId, username: `u${userId.slice(-2)}`, globalName: null, avatar: null, guilds: [] });
  const { token } = await signAccessToken(sessions.keys.access, { userId, familyId: family.id, guilds: {} }, new Date(), 900);
  return token;
}

const as = (userId: string | null, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, redirect: 'manual', headers: userId ? { authorization: `Bearer ${tokens.get(userId)}` } : {} });

async function trade(id: string, status: string, cashCents = 1500): Promise<void> {
  await h.db.prisma.cardTradeProposal.create({
    data: { id, guildId: GUILD, proposerId: PAYER, recipientId: PAYEE, offererId: PAYER, turnUserId: PAYEE, status, cashCents, cashPayerId: PAYER, expiresAt: new Date(Date.now() + 86_400_000) },
  });
}

beforeAll(async () => {
  h = await startEscrowHarness();
  base = await listen(true);
  baseWithoutKey = await listen(false);
  for (const user of [PAYER, PAYEE, STRANGER]) tokens.set(user, await signIn(user));
  await h.onboard(PAYEE);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await h?.close();
});

describe('the pay page', () => {
  let paymentIntentId: string;
  beforeAll(async () => {
    await trade('pay-1', 'accepted');
    ({ paymentIntentId } = await openEscrow(h.deps, { proposalId: 'pay-1', guildId: GUILD, payerId: PAYER, payeeId: PAYEE, amountCents: 1500, currency: 'usd' }));
  });

  it('gives the payer the client secret of exactly their PaymentIntent, and nobody else', async () => {
    const res = await as(PAYER, '/api/cards/pay/pay-1/client-secret');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { clientSecret: string; amountCents: number };
    expect(body).toEqual({ clientSecret: h.stripe.intent(paymentIntentId)?.client_secret, amountCents: 1500, currency: 'usd' });
    expect(body.clientSecret.startsWith(`${paymentIntentId}_secret_`)).toBe(true);

    const payee = await as(PAYEE, '/api/cards/pay/pay-1/client-secret');
    expect(payee.status).toBe(403);
    expect(JSON.stringify(await payee.json())).toMatch(/Only <@910000000000000001> pays/);
    const stranger = await as(STRANGER, '/api/cards/pay/pay-1/client-secret');
    expect(stranger.status).toBe(404);
    expect(JSON.stringify(await stranger.json())).not.toContain('_secret_');
    expect((await as(STRANGER, '/api/cards/pay/pay-1')).status).toBe(404);
    expect((await as(null, '/api/cards/pay/pay-1/client-secret')).status).toBe(401);
  });

  it('serves the page with Stripe allowed in its CSP, our publishable key, and no inline script', async () => {
    const res = await fetch(`${base}/cards/pay/pay-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self' https://js.stripe.com https://*.js.stripe.com",
        'frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com',
        "connect-src 'self' https://api.stripe.com",
      ]),
    );
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain(`data-key="${PK}"`);
    expect(html).toContain('data-proposal="pay-1"');
    expect(html).toContain('href="/api/auth/login?next=%2Fcards%2Fpay%2Fpay-1"');
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /src="([^"]+)"/.exec(m[1]!)?.[1])).toEqual(['https://js.stripe.com/v3/', '/cards/card-pages.js']);
    expect(scripts.every((m) => m[2] === '')).toBe(true);
    expect(html).not.toMatch(/\son\w+=/i);

    const script = await fetch(`${base}/cards/card-pages.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("'/api/cards/pay/'");

    // Elsewhere the dashboard's policy stays: Stripe only on this page.
    expect((await fetch(`${base}/api/docs`)).headers.get('content-security-policy')).not.toContain('stripe');
  });

  it('says payments are not set up without a publishable key', async () => {
    const res = await fetch(`${baseWithoutKey}/cards/pay/pay-1`);
    const html = await res.text();
    expect(html).toContain('Payments are not set up');
    expect(html).not.toContain('js.stripe.com');
    expect(res.headers.get('content-security-policy')).not.toContain('stripe');
  });

  it('shows the payment as held only once our read of Stripe says so, whatever the return URL says', async () => {
    const returned = await fetch(`${base}/cards/pay/pay-1?payment_intent=${paymentIntentId}&redirect_status=succeeded`);
    const html = await returned.text();
    expect(html).not.toMatch(/succeeded|held/);
    expect(html).toBe(await (await fetch(`${base}/cards/pay/pay-1`)).text());

    const before = await as(PAYER, '/api/cards/pay/pay-1');
    expect(await before.json()).toEqual({ proposalId: 'pay-1', role: 'payer', tradeStatus: 'accepted', escrowStatus: 'pending', amountCents: 1500, currency: 'usd' });
    expect((await h.db.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId: 'pay-1' } })).status).toBe('pending');

    await h.stripe.pay(paymentIntentId);
    const after = await as(PAYER, '/api/cards/pay/pay-1');
    expect(await after.json()).toMatchObject({ escrowStatus: 'held' });
    expect((await h.db.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId: 'pay-1' } })).status).toBe('held');
    expect(await (await as(PAYEE, '/api/cards/pay/pay-1')).json()).toMatchObject({ role: 'payee', escrowStatus: 'held' });

    const again = await as(PAYER, '/api/cards/pay/pay-1/client-secret');
    expect(again.status).toBe(409);
    expect(JSON.stringify(await again.json())).toContain('its cash is held');
  });

  it('answers 409 with the state for a trade not waiting for payment', async () => {
    await trade('pay-proposed', 'proposed');
    const res = await as(PAYER, '/api/cards/pay/pay-proposed/client-secret');
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('card_trade_not_awaiting_payment');
    expect(body.error.message).toContain('the trade is proposed');
  });
});

describe('payout onboarding return pages', () => {
  it('serves both pages with our own CSP and a Discord sign-in that comes back to them', async () => {
    for (const [path, next] of [
      ['/api/cards/payouts/onboard', '%2Fapi%2Fcards%2Fpayouts%2Fonboard'],
      ['/api/cards/payouts', '%2Fapi%2Fcards%2Fpayouts'],
    ] as const) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
      expect(res.headers.get('content-security-policy')).not.toContain('stripe');
      expect(await res.text()).toContain(`href="/api/auth/login?next=${next}"`);
    }
  });

  it('gives the signed-in member a fresh onboarding link when the old one expired', async () => {
    const { onboardingUrl: first, accountId } = await startPayoutOnboarding(h.deps, { userId: PAYER });
    const linksBefore = h.stripe.creations('/v1/account_links');
    const res = await as(PAYER, '/api/cards/payouts/onboard', { method: 'POST' });
    expect(res.status).toBe(200);
    const { onboardingUrl } = (await res.json()) as { onboardingUrl: string };
    expect(onboardingUrl).not.toBe(first);
    expect(h.stripe.creations('/v1/account_links')).toBe(linksBefore + 1);
    expect(h.stripe.accountLinks().at(-1)).toEqual({
      account: accountId,
      url: onboardingUrl,
      refresh_url: 'https://guildflow.test/api/cards/payouts/onboard',
      return_url: 'https://guildflow.test/api/cards/payouts',
    });
    const none = await as(STRANGER, '/api/cards/payouts/onboard', { method: 'POST' });
    expect(none.status).toBe(404);
    expect((await as(null, '/api/cards/payouts/onboard', { method: 'POST' })).status).toBe(401);
  });

  it('says what is missing after an unfinished onboarding, and records the account ready once it is', async () => {
    const { accountId } = await startPayoutOnboarding(h.deps, { userId: PAYER });
    h.stripe.setOnboarding(accountId, { details_submitted: true, charges_enabled: true, payouts_enabled: false, currently_due: ['external_account'] });
    const partial = await as(PAYER, '/api/cards/payouts/account');
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({ accountId, ready: false, detailsSubmitted: true, payoutsEnabled: false, missing: ['external_account'] });
    expect(await h.db.prisma.cardPayoutAccount.findUniqueOrThrow({ where: { userId: PAYER } })).toMatchObject({ chargesEnabled: true, payoutsEnabled: false });

    h.stripe.setOnboarding(accountId, { details_submitted: true, charges_enabled: true, payouts_enabled: true, currently_due: [] });
    const done = await as(PAYER, '/api/cards/payouts/account');
    expect(await done.json()).toEqual({ accountId, ready: true, detailsSubmitted: true, payoutsEnabled: true, missing: [] });
    expect(await h.db.prisma.cardPayoutAccount.findUniqueOrThrow({ where: { userId: PAYER } })).toMatchObject({ chargesEnabled: true, payoutsEnabled: true });

    expect((await as(STRANGER, '/api/cards/payouts/account')).status).toBe(404);
  });
});
