import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The card trade pages outside the dashboard app: the payer's pay page (Stripe's Payment Element) and the
 * pages Stripe's Connect onboarding comes back to. Server-rendered shells, each with its own CSP: only the
 * pay page lets Stripe's origins in. Their one script is ours (card-pages.client.js, no inline script).
 */

export const CARD_PAGES_SCRIPT_PATH = '/cards/card-pages.js';
export const cardPagesScript = readFileSync(path.join(__dirname, 'card-pages.client.js'), 'utf8');

const BASE_POLICY = ["default-src 'none'", "style-src 'self'", "img-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"];

/** Stripe.js and its Payment Element: its script, its iframes (and 3-D Secure's), its API. */
const STRIPE_PAGE_CSP = [
  ...BASE_POLICY,
  "script-src 'self' https://js.stripe.com https://*.js.stripe.com",
  'frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com',
  "connect-src 'self' https://api.stripe.com",
].join('; ');

/** A page of ours only (the onboarding pages; the pay page when payments are not set up). */
export const OWN_PAGE_CSP = [...BASE_POLICY, "script-src 'self'", "connect-src 'self'"].join('; ');

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Shell {
  title: string;
  page: 'pay' | 'onboard' | 'payouts';
  /** Where the Discord login comes back to: this page. */
  path: string;
  data?: Record<string, string>;
  withStripe?: boolean;
  /** Shown instead of the loading text, and nothing runs (payments not set up). */
  notice?: string;
  body?: string;
}

function shell(s: Shell): string {
  const data = Object.entries(s.data ?? {})
    .map(([k, v]) => ` data-${k}="${escape(v)}"`)
    .join('');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(s.title)} — Guildflow</title>`,
    s.withStripe ? '<script src="https://js.stripe.com/v3/"></script>' : '',
    s.notice ? '' : `<script src="${CARD_PAGES_SCRIPT_PATH}" defer></script>`,
    '</head><body>',
    `<main id="page" data-page="${s.page}"${data}>`,
    `<h1>${escape(s.title)}</h1>`,
    `<p id="status">${escape(s.notice ?? 'Loading…')}</p>`,
    `<p id="signin" hidden><a href="/api/auth/login?next=${encodeURIComponent(s.path)}">Sign in with Discord</a></p>`,
    s.body ?? '',
    s.notice ? '' : '<noscript>This page needs JavaScript.</noscript>',
    '</main></body></html>',
  ].join('\n');
}

export function payPage(proposalId: string, publishableKey: string | undefined): { html: string; csp: string } {
  const title = `Pay the cash part of trade ${proposalId}`;
  const path = `/cards/pay/${encodeURIComponent(proposalId)}`;
  if (!publishableKey) return { html: shell({ title, page: 'pay', path, notice: 'Payments are not set up on this Guildflow (STRIPE_PUBLISHABLE_KEY).' }), csp: OWN_PAGE_CSP };
  const form = '<form id="pay-form" hidden><div id="payment-element"></div><button id="pay-button" type="submit">Pay</button></form>';
  return { html: shell({ title, page: 'pay', path, data: { proposal: proposalId, key: publishableKey }, withStripe: true, body: form }), csp: STRIPE_PAGE_CSP };
}

export const onboardPage = (): string => shell({ title: 'Payout account setup', page: 'onboard', path: '/api/cards/payouts/onboard' });

export const payoutsPage = (): string =>
  shell({ title: 'Your payout account', page: 'payouts', path: '/api/cards/payouts', body: '<p id="continue" hidden><a href="/api/cards/payouts/onboard">Continue the Stripe onboarding</a></p>' });
