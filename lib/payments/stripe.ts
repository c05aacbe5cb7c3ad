import Stripe from 'stripe';
import {
  type ConnectedAccount,
  type EscrowCharge,
  type EscrowProvider,
  type PaymentStatus,
  PaymentProviderRejectedError,
  PaymentProviderUnavailableError,
} from './provider';

/**
 * Stripe Connect behind EscrowProvider, through the official client. Escrow uses **separate charges and
 * transfers** tied by a `transfer_group`: the payer's PaymentIntent settles on the platform's balance, and
 * only when both traders confirmed does a Transfer (amount less the platform's fee, `source_transaction`
 * = the charge) go to the payee's connected account. That is what Stripe recommends when the seller is
 * not known to be owed the money at payment time: a destination charge (`transfer_data` +
 * `application_fee_amount`) would hand the money to the payee at once (a refund then needs a transfer
 * reversal the payee's balance may not cover), and a manual-capture hold lapses after about 7 days,
 * shorter than a posted trade can take.
 */

export interface StripeOptions {
  secretKey: string;
  /** STRIPE_API_URL: the fake in tests; default Stripe's own https://api.stripe.com. */
  apiUrl?: string;
  timeoutMs?: number;
  /** The client's own retries of network failures and 409/5xx answers (with the same idempotency key). */
  maxNetworkRetries?: number;
}

function clientOptions(opts: StripeOptions): Stripe.StripeConfig {
  const config: Stripe.StripeConfig = { timeout: opts.timeoutMs ?? 20_000, maxNetworkRetries: opts.maxNetworkRetries ?? 2, telemetry: false };
  if (opts.apiUrl) {
    const url = new URL(opts.apiUrl);
    config.host = url.hostname;
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
    if (url.port) config.port = url.port;
  }
  return config;
}

/** Stripe's errors as the payment layer's two kinds: retry may help, or it will not. */
function asProviderError(err: unknown): Error {
  if (err instanceof Stripe.errors.StripeError) {
    const status = err.statusCode;
    if (err instanceof Stripe.errors.StripeConnectionError || status === undefined || status === 429 || status >= 500 || status === 409) {
      return new PaymentProviderUnavailableError(`Stripe is unavailable: ${err.message}`, status);
    }
    return new PaymentProviderRejectedError(`Stripe refused the request: ${err.message}`, status);
  }
  return err instanceof Error ? err : new Error(String(err));
}

const isMissing = (err: unknown) => err instanceof Stripe.errors.StripeError && err.statusCode === 404;

function statusOf(intent: Stripe.PaymentIntent, charge: Stripe.Charge | null): PaymentStatus {
  if (charge && charge.amount_refunded > 0) return 'refunded';
  switch (intent.status) {
    case 'succeeded':
      return 'paid';
    case 'canceled':
      return 'cancelled';
    default:
      // requires_payment_method / requires_confirmation / requires_action / processing / requires_capture
      return 'pending';
  }
}

function chargeView(intent: Stripe.PaymentIntent): EscrowCharge {
  const charge = intent.latest_charge && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const chargeId = charge ? charge.id : typeof intent.latest_charge === 'string' ? intent.latest_charge : null;
  return {
    id: intent.id,
    status: statusOf(intent, charge),
    providerStatus: intent.status,
    amount: intent.amount,
    currency: intent.currency,
    chargeId,
    amountRefunded: charge?.amount_refunded ?? 0,
    transferGroup: intent.transfer_group ?? null,
    metadata: { ...intent.metadata },
    clientSecret: intent.client_secret,
  };
}

function accountView(account: Stripe.Account): ConnectedAccount {
  const due = [...(account.requirements?.past_due ?? []), ...(account.requirements?.currently_due ?? [])];
  return {
    id: account.id,
    chargesEnabled: account.charges_enabled ?? false,
    payoutsEnabled: account.payouts_enabled ?? false,
    detailsSubmitted: account.details_submitted ?? false,
    currentlyDue: [...new Set(due)],
  };
}

export function createStripeProvider(opts: StripeOptions): EscrowProvider {
  const stripe = new Stripe(opts.secretKey, clientOptions(opts));
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw asProviderError(err);
    }
  };
  const retrieveIntent = (id: string) => stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });

  return {
    name: 'stripe',
    async createEscrowCharge(req) {
      const created = await call(() =>
        stripe.paymentIntents.create(
          {
            amount: req.amount,
            currency: req.currency,
            transfer_group: req.transferGroup,
            metadata: req.metadata,
            description: req.description,
            automatic_payment_methods: { enabled: true },
          },
          { idempotencyKey: req.key },
        ),
      );
      return chargeView(created);
    },
    async getEscrowCharge(id) {
      try {
        return chargeView(await retrieveIntent(id));
      } catch (err) {
        if (isMissing(err)) return null;
        throw asProviderError(err);
      }
    },
    async cancelEscrowCharge(id) {
      try {
        await stripe.paymentIntents.cancel(id, {}, { idempotencyKey: `${id}:cancel` });
      } catch (err) {
        // A payment that succeeded meanwhile can no longer be cancelled: the caller reads it as it is.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 400)) throw asProviderError(err);
      }
      return chargeView(await call(() => retrieveIntent(id)));
    },
    async transfer(req) {
      const transfer = await call(() =>
        stripe.transfers.create(
          { amount: req.amount, currency: req.currency, destination: req.destination, transfer_group: req.transferGroup, source_transaction: req.sourceCharge },
          { idempotencyKey: req.key },
        ),
      );
      return { id: transfer.id };
    },
    async findTransfer(transferGroup) {
      const list = await call(() => stripe.transfers.list({ transfer_group: transferGroup, limit: 1 }));
      const first = list.data[0];
      return first ? { id: first.id } : null;
    },
    async refund(req) {
      const refund = await call(() =>
        stripe.refunds.create({ payment_intent: req.paymentId, reason: 'requested_by_customer', metadata: { reason: req.reason.slice(0, 500) } }, { idempotencyKey: req.key }),
      );
      return { id: refund.id };
    },
    async findRefund(paymentId) {
      const list = await call(() => stripe.refunds.list({ payment_intent: paymentId, limit: 1 }));
      const first = list.data[0];
      return first ? { id: first.id } : null;
    },
    async createConnectedAccount(req) {
      const account = await call(() =>
        stripe.accounts.create(
          { type: req.type, ...(req.email ? { email: req.email } : {}), metadata: req.metadata, capabilities: req.type === 'express' ? { transfers: { requested: true } } : undefined },
          { idempotencyKey: req.key },
        ),
      );
      return accountView(account);
    },
    async getConnectedAccount(id) {
      try {
        return accountView(await stripe.accounts.retrieve(id));
      } catch (err) {
        if (isMissing(err)) return null;
        throw asProviderError(err);
      }
    },
    async createOnboardingLink(req) {
      const link = await call(() => stripe.accountLinks.create({ account: req.account, refresh_url: req.refreshUrl, return_url: req.returnUrl, type: 'account_onboarding' }));
      return link.url;
    },
  };
}
