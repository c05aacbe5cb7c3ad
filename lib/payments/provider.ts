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
