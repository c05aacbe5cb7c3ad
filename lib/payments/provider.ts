/**
 * What Guildflow needs from a payment gateway, whichever it is (Midtrans QRIS now; Stripe can follow
 * behind the same interface). Statuses are normalised so the top-up flow never reads a gateway's
 * vocabulary; the gateway's own word is kept beside them for the record.
 */

/**
 * - `pending`: waiting for the customer (or a fraud review);
 * - `paid`: the money is ours (Midtrans: `settlement`, or `capture` with `fraud_status=accept`);
 * - `denied`, `expired`, `cancelled`, `failed`: it will not be paid;
 * - `refunded`: paid, then given back (after a credit; not acted on by top-ups).
 */
export type PaymentStatus = 'pending' | 'paid' | 'denied' | 'expired' | 'cancelled' | 'failed' | 'refunded';

export interface ChargeRequest {
  /** Our payment id; the gateway's order id (≤ 50 of [A-Za-z0-9-_.~]). */
  orderId: string;
  /** Whole units of the gateway currency (rupiah). */
  amount: number;
  expirySeconds: number;
  /** Where the gateway should send this charge's notifications (else its dashboard setting). */
  notificationUrl?: string;
}

export interface Charge {
  transactionId: string;
  status: PaymentStatus;
  providerStatus: string;
  /** An image of the QR code (PNG) the customer scans. */
  qrUrl: string | null;
  /** The QR payload itself (to render it ourselves when the image is unavailable). */
  qrString: string | null;
  expiresAt: Date | null;
}

export interface StatusReport {
  orderId: string;
  transactionId: string;
  status: PaymentStatus;
  providerStatus: string;
  fraudStatus: string | null;
  /** As the gateway wrote it (Midtrans: "10000.00"). */
  grossAmount: string;
}

export interface PaymentProvider {
  readonly name: string;
  /** Creates the charge, or returns the one this order id already has (a retried call). */
  createCharge(req: ChargeRequest): Promise<Charge>;
  /** The transaction's current status; null when the gateway has none for this order id. */
  getStatus(orderId: string): Promise<StatusReport | null>;
  /** Cancels a pending charge; returns the status after (a charge that was no longer pending keeps its own). */
  cancel(orderId: string): Promise<StatusReport | null>;
  /** The QR image bytes for a charge's qrUrl. */
  fetchQrImage(qrUrl: string): Promise<Buffer>;
}

/** The gateway as the payment activities get it (activities/deps.ts); absent when payments are off. */
export interface PaymentsDeps {
  provider: PaymentProvider;
  /** Where the gateway should notify us ({PUBLIC_BASE_URL}/webhooks/midtrans), else its dashboard's setting. */
  notificationUrl?: string;
}

/** The gateway refused the request for good (bad key, invalid field): retrying will not help. */
export class PaymentProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = 'PaymentProviderRejectedError';
  }
}

/** The gateway is unreachable or failing (5xx, 429, timeout): worth a retry. */
export class PaymentProviderUnavailableError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'PaymentProviderUnavailableError';
  }
}

/**
 * What card trades' escrow needs on top of a charge: a marketplace gateway (Stripe Connect) that holds a
 * payment on the platform's balance and later transfers it, less the platform's fee, to the seller's
 * connected account — or refunds it. Kept apart from PaymentProvider, which top-ups use and which a QRIS
 * gateway without payouts (Midtrans) can implement alone.
 *
 * Every call that creates something takes `key`, the gateway's idempotency key, derived by the caller from
 * a business id and the step, so a retried or overlapping call gets the first one's object.
 */
export interface EscrowCharge {
  /** The gateway's payment id (Stripe: pi_…). */
  id: string;
  /** Normalised as for top-ups; `refunded` as soon as any of it was given back. */
  status: PaymentStatus;
  providerStatus: string;
  amount: number;
  currency: string;
  /** The charge that moved the money once paid (Stripe: ch_…), the source of the transfer. */
  chargeId: string | null;
  amountRefunded: number;
  transferGroup: string | null;
  metadata: Record<string, string>;
  /** What the payer's browser needs to pay (Stripe.js Payment Element); never logged. */
  clientSecret: string | null;
}

export interface ConnectedAccount {
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  /** The member finished Stripe's onboarding form (Stripe may still be verifying it). */
  detailsSubmitted: boolean;
  /** What Stripe still needs before payouts (its `requirements.currently_due` and `past_due` fields). */
  currentlyDue: string[];
}

export interface EscrowProvider {
  readonly name: string;
  createEscrowCharge(req: { key: string; amount: number; currency: string; transferGroup: string; metadata: Record<string, string>; description: string }): Promise<EscrowCharge>;
  /** null when the gateway has no such payment. */
  getEscrowCharge(id: string): Promise<EscrowCharge | null>;
  /** Cancels an unpaid payment so it can no longer be paid; the payment as it is after (a paid one stays paid). */
  cancelEscrowCharge(id: string): Promise<EscrowCharge>;
  /** Moves `amount` of a paid charge to a connected account. */
  transfer(req: { key: string; amount: number; currency: string; destination: string; transferGroup: string; sourceCharge: string }): Promise<{ id: string }>;
  /** A transfer already made for this group (after the idempotency key's lifetime), else null. */
  findTransfer(transferGroup: string): Promise<{ id: string } | null>;
  /** Refunds the whole payment. */
  refund(req: { key: string; paymentId: string; reason: string }): Promise<{ id: string }>;
  /** A refund already made for this payment, else null. */
  findRefund(paymentId: string): Promise<{ id: string } | null>;
  createConnectedAccount(req: { key: string; type: 'express' | 'standard'; email?: string; metadata: Record<string, string> }): Promise<ConnectedAccount>;
  getConnectedAccount(id: string): Promise<ConnectedAccount | null>;
  /** A single-use onboarding link for a connected account. */
  createOnboardingLink(req: { account: string; refreshUrl: string; returnUrl: string }): Promise<string>;
}
