import type { Config } from '../config';
import { createMidtransProvider } from './midtrans';
import type { EscrowProvider, PaymentProvider } from './provider';
import { createStripeProvider } from './stripe';

export * from './provider';
export { createMidtransProvider, midtransStatus, parseJakartaTime } from './midtrans';
export { verifyMidtransSignature } from './midtrans-signature';
export { createStripeProvider } from './stripe';
export { verifyStripeSignature } from './stripe-signature';

export const MIDTRANS_WEBHOOK_PATH = '/webhooks/midtrans';

/** The gateway from the settings, or null when payments are off (no MIDTRANS_SERVER_KEY). */
export function paymentsFromConfig(config: Pick<Config, 'MIDTRANS_SERVER_KEY' | 'MIDTRANS_API_URL' | 'PUBLIC_BASE_URL'>): { provider: PaymentProvider; notificationUrl?: string } | null {
  if (!config.MIDTRANS_SERVER_KEY) return null;
  return {
    provider: createMidtransProvider({ serverKey: config.MIDTRANS_SERVER_KEY, apiUrl: config.MIDTRANS_API_URL }),
    notificationUrl: config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${MIDTRANS_WEBHOOK_PATH}` : undefined,
  };
}

/** The one line `npm start` prints when payments are off. */
export const PAYMENTS_OFF_MESSAGE = 'Payments are off: set MIDTRANS_SERVER_KEY (see .env.example) to turn on /topup and the Midtrans webhook.';

/** What /topup and the API pass to the top-up workflow (durations from the settings). */
export interface TopupSettings {
  limits: { min: number; max: number };
  expirySeconds: number;
  pollSeconds: number;
  lateSettlementSeconds: number;
}

export function topupSettingsFromConfig(
  config: Pick<Config, 'MIDTRANS_SERVER_KEY' | 'TOPUP_MIN_AMOUNT' | 'TOPUP_MAX_AMOUNT' | 'TOPUP_EXPIRY_SECONDS' | 'TOPUP_POLL_SECONDS' | 'TOPUP_LATE_SETTLEMENT_SECONDS'>,
): TopupSettings | null {
  if (!config.MIDTRANS_SERVER_KEY) return null;
  return {
    limits: { min: config.TOPUP_MIN_AMOUNT, max: config.TOPUP_MAX_AMOUNT },
    expirySeconds: config.TOPUP_EXPIRY_SECONDS,
    pollSeconds: config.TOPUP_POLL_SECONDS,
    lateSettlementSeconds: config.TOPUP_LATE_SETTLEMENT_SECONDS,
  };
}

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** The one line `npm start` prints when card trade escrow is off. */
export const ESCROW_OFF_MESSAGE = 'Card trade escrow is off: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (see .env.example) to allow trades with a cash part.';

/** Card trade escrow as its activities get it (activities/deps.ts); absent when Stripe is not set up. */
export interface EscrowDeps {
  provider: EscrowProvider;
  /** The platform's share in percent (STRIPE_PLATFORM_FEE_PCT). */
  feePct: number;
  /** Where the payer's pay page and the onboarding return links live (PUBLIC_BASE_URL). */
  publicBaseUrl?: string;
  /** Stripe.js's key on the pay page (STRIPE_PUBLISHABLE_KEY); absent, the page says payments are not set up. */
  publishableKey?: string;
}

export function escrowFromConfig(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL' | 'STRIPE_PLATFORM_FEE_PCT' | 'PUBLIC_BASE_URL' | 'STRIPE_PUBLISHABLE_KEY'>): EscrowDeps | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  return {
    provider: createStripeProvider({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL }),
    feePct: config.STRIPE_PLATFORM_FEE_PCT,
    publicBaseUrl: config.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    publishableKey: config.STRIPE_PUBLISHABLE_KEY,
  };
}
