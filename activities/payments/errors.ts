import { RefusalError } from '../../lib/errors';

/**
 * Payments' business refusals: a stable `code`, an HTTP status and the ApplicationFailure `failureType`
 * the activities raise (non-retryable). Messages are written for the member or admin who reads them.
 */
export class PaymentError extends RefusalError {}

export const PAYMENT_FAILURE_TYPES = {
  paymentsDisabled: 'PaymentsDisabled',
  providerRejected: 'PaymentProviderRejected',
  amountOutOfRange: 'TopupAmountOutOfRange',
  amountMismatch: 'PaymentAmountMismatch',
  paymentConflict: 'PaymentConflict',
  paymentNotFound: 'PaymentNotFound',
} as const;

export const NON_RETRYABLE_PAYMENT_FAILURES: string[] = Object.values(PAYMENT_FAILURE_TYPES);

export const paymentsDisabled = () =>
  new PaymentError(
    'payments_disabled',
    PAYMENT_FAILURE_TYPES.paymentsDisabled,
    'Payments are not set up on this Guildflow (an operator sets MIDTRANS_SERVER_KEY).',
    503,
  );
