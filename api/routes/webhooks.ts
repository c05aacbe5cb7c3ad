import type { Client } from '@temporalio/client';
import type Router from '@koa/router';
import { z } from 'zod';
import { markNotificationSignalled, recordNotification } from '../../activities/payments';
import { AppError, UnauthorizedError, ValidationError } from '../../lib/errors';
import type { PaymentUpdate } from '../../lib/flows/payments';
import { sendPaymentUpdate } from '../../lib/flows/payments.client';
import { MIDTRANS_WEBHOOK_PATH, midtransStatus, verifyMidtransSignature } from '../../lib/payments';
import { readRawBody } from '../body';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';

const REQUIRED = ['order_id', 'status_code', 'gross_amount', 'signature_key', 'transaction_status', 'transaction_id'] as const;

/**
 * POST /webhooks/midtrans — Midtrans's HTTP notifications (verify → signal and record → answer):
 *
 * 1. the raw body must be a JSON object with the signed fields (else 400, nothing recorded);
 * 2. the signature `SHA512(order_id + status_code + gross_amount + server key)` must match, compared in
 *    constant time (else 401, nothing recorded);
 * 3. it is recorded durably, once per (transaction id, status) — a capture's status includes its fraud
 *    review, `capture:challenge` / `capture:accept` — so a redelivery is a 200 `duplicate`;
 *    our own failure to record is a 503, so Midtrans retries;
 * 4. the top-up workflow `topup:{order_id}` is signalled as soon as the signature holds, beside the
 *    recording (the answer does not wait for it). A signal that cannot be delivered is not lost: the
 *    workflow polls the gateway for the status anyway; a refused recording (503) woke the flow for nothing.
 *
 * The signature does not cover `transaction_status` or `fraud_status`, so a notification is never taken
 * as proof of payment: the signal only wakes the top-up, which asks the gateway's status API. A duplicate
 * wakes it too — the first copy recorded under a status may have been a replay with a forged status.
 */
export function webhookRoutes(deps: RouteDeps): Router<RouteState> {
  const wlog = deps.log.child({ component: 'webhooks' });

  const midtrans = route({
    method: 'post',
    path: MIDTRANS_WEBHOOK_PATH,
    summary: "Midtrans's payment notifications (signature checked before anything is recorded).",
    tag: 'payments',
    access: { kind: 'signature', scheme: 'midtransSignature' },
    rawBody: {
      contentType: 'application/json',
      description: 'A Midtrans HTTP notification, read as raw bytes (at most 64 KiB).',
      schema: z.looseObject(Object.fromEntries(REQUIRED.map((k) => [k, z.string().min(1).max(200)]))),
    },
    responses: { 200: { description: 'Recorded, or a redelivery already recorded.', schema: z.object({ status: z.enum(['recorded', 'duplicate']) }) } },
    handler: async (ctx) => {
      const serverKey = deps.midtransServerKey;
      if (!serverKey) throw new AppError('payments_disabled', 'Payments are not set up on this Guildflow (MIDTRANS_SERVER_KEY is not set).', 404);
      const raw = await readRawBody(ctx, 64 * 1024);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new ValidationError('The body is not valid JSON.', { reason: (err as Error).message });
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('The body must be a JSON object.');
      const n = body as Record<string, unknown>;
      const missing = REQUIRED.filter((k) => typeof n[k] !== 'string' || (n[k] as string).length === 0 || (n[k] as string).length > 200);
      if (missing.length) throw new ValidationError(`Missing or invalid fields: ${missing.join(', ')}.`);
      if (!verifyMidtransSignature(n, serverKey)) {
        wlog.warn({ orderId: String(n.order_id).slice(0, 60), requestId: ctx.state.requestId }, 'Midtrans notification with a wrong signature refused');
        throw new UnauthorizedError('The notification signature does not match.');
      }
      const orderId = n.order_id as string;
      const fraudStatus = typeof n.fraud_status === 'string' ? n.fraud_status : null;
      // A card capture changes meaning with its fraud review (challenge → accept), under the same
      // transaction_status: the review's outcome is part of the status a notification is unique by.
      const recordedStatus = n.transaction_status === 'capture' && fraudStatus ? `capture:${fraudStatus}` : (n.transaction_status as string);
      const update: PaymentUpdate = {
        status: midtransStatus(n.transaction_status as string, fraudStatus),
        providerStatus: n.transaction_status as string,
        fraudStatus,
        transactionId: n.transaction_id as string,
        grossAmount: n.gross_amount as string,
        source: 'webhook',
      };
      // The signal goes out beside the recording, not after it: it only wakes the flow (which asks the
      // gateway), so it needs nothing recorded, and the member's credit does not wait on our insert.
      // Without Temporal in this process (an API-only deployment) the flow's own polling sees the payment.
      const signalled = deps.temporal ? wakeTopup(deps.temporal, orderId, update) : null;
      let recorded: { id: bigint; duplicate: boolean };
      try {
        recorded = await recordNotification(deps.prisma, {
          provider: 'midtrans',
          orderId,
          transactionId: n.transaction_id as string,
          transactionStatus: recordedStatus,
          statusCode: n.status_code as string,
          fraudStatus,
          grossAmount: n.gross_amount as string,
          body: n,
        });
      } catch (err) {
        wlog.error({ err: (err as Error).message, orderId }, 'could not record a Midtrans notification; asking Midtrans to retry');
        ctx.set('Retry-After', '5');
        throw new AppError('unavailable', 'The notification could not be recorded right now; retry later.', 503);
      }
      ctx.status = 200;
      ctx.body = { status: recorded.duplicate ? 'duplicate' : 'recorded' };
      if (!signalled || recorded.duplicate) return;
      // Midtrans does not wait for our workflow: the row is marked once the signal went through.
      void signalled.then(async (delivered) => {
        if (!delivered) return;
        try {
          await markNotificationSignalled(deps.prisma, recorded.id);
        } catch (err) {
          wlog.warn({ orderId, err: (err as Error).message }, 'could not mark a notification signalled');
        }
      });
    },
  });

  /** Signals the top-up; whether it was delivered (never rejects: a lost signal leaves it to the polling). */
  async function wakeTopup(temporal: Client, orderId: string, update: PaymentUpdate): Promise<boolean> {
    try {
      const delivered = await sendPaymentUpdate(temporal, orderId, update);
      if (!delivered) wlog.info({ orderId, status: update.providerStatus }, 'notification for a top-up that is not running; recorded only');
      return delivered;
    } catch (err) {
      wlog.warn({ orderId, err: (err as Error).message }, 'could not signal the top-up; its status polling will see the payment');
      return false;
    }
  }
  return routerOf(undefined, deps, [midtrans]);
}
