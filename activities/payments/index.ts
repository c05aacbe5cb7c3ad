/**
 * Payments: top-ups through a payment gateway (lib/payments: the provider interface and
 * Midtrans QRIS), run by the `topup:{paymentId}` workflow; the webhook records notifications here.
 */
export * from './errors';
export * from './payments';
export * from './messages';
