import { RefusalError } from '../../lib/errors';
import { PAYMENT_FAILURES } from '../../lib/flows/payments';
import type { PaymentProviderRejectedError } from '../../lib/payments/provider';

/**
 * Payments' business refusals: a stable `code`, an HTTP status and the ApplicationFailure `failureType`
 * (from PAYMENT_FAILURES) the activities raise, non-retryable. Messages are written for the member or
 * admin who reads them.
 */
export class PaymentError extends RefusalError {}

export const paymentsDisabled = () =>
  new PaymentError(
    'payments_disabled',
    PAYMENT_FAILURES.paymentsDisabled,
    'Payments are not set up on this Guildflow (an operator sets MIDTRANS_SERVER_KEY).',
    503,
  );

/** The gateway refused for good (a bad key, an invalid field): a retry cannot help. */
export const providerRejected = (err: PaymentProviderRejectedError) =>
  new PaymentError('payment_provider_rejected', PAYMENT_FAILURES.providerRejected, err.message, 502, { httpStatus: err.httpStatus });

/** The gateway's own status API does not say this payment is paid: a notification or signal alone credits nothing. */
export const paymentNotConfirmed = (paymentId: string, providerStatus: string | null) =>
  new PaymentError(
    'payment_not_confirmed',
    PAYMENT_FAILURES.notConfirmed,
    `The gateway does not confirm payment ${paymentId} as paid (it says ${providerStatus ?? 'it has no such transaction'}): nothing was credited.`,
    409,
  );
