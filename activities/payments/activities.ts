import { ApplicationFailure } from '@temporalio/common';
import type { REST } from '@discordjs/rest';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { PaymentProviderRejectedError, type PaymentProvider, type PaymentStatus, type StatusReport } from '../../lib/payments/provider';
import type { PrismaClient } from '../../prisma/client';
import { createDiscordActivities, type InteractionReply } from '../discord/activities';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { assetLabel } from '../shop/messages';
import { PaymentError, PAYMENT_FAILURE_TYPES, paymentsDisabled } from './errors';
import { adminEmbed, endedEmbed, paidEmbed, qrEmbed, QR_FILE_NAME } from './messages';
import { createPayment, creditPayment, endPayment, failPayment, getPayment, recordCharge } from './payments';

/** A gateway status as the top-up workflow receives it, from the webhook (signal) or its own polling. */
export interface PaymentUpdate {
  status: PaymentStatus;
  providerStatus: string;
  fraudStatus: string | null;
  transactionId: string;
  grossAmount: string;
  source: 'webhook' | 'poll' | 'cancel';
}

export interface PaymentsDeps {
  provider: PaymentProvider;
  /** Where the gateway should notify us ({PUBLIC_BASE_URL}/webhooks/midtrans), else its dashboard's setting. */
  notificationUrl?: string;
}

export const toUpdate = (r: StatusReport, source: PaymentUpdate['source']): PaymentUpdate => ({
  status: r.status,
  providerStatus: r.providerStatus,
  fraudStatus: r.fraudStatus,
  transactionId: r.transactionId,
  grossAmount: r.grossAmount,
  source,
});

/**
 * Payments as Temporal activities for the top-up workflow, each keyed by the payment id (a retry finds
 * the row as the first attempt left it). Gateway refusals are non-retryable `PaymentProviderRejected`;
 * an unreachable gateway is retried by Temporal.
 */
export function createPaymentActivities({ prisma, log, discord, payments }: { prisma: PrismaClient; log: Logger; discord?: REST | null; payments?: PaymentsDeps | null }) {
  const plog = log.child({ component: 'payments' });
  const d = createDiscordActivities({ prisma, log, discord: discord ?? null });
  const ledger = createLedger(prisma);

  const gateway = (): PaymentsDeps => {
    if (!payments) throw paymentsDisabled();
    return payments;
  };

  async function run<T>(name: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      plog.debug({ activity: name, ...meta }, 'payments activity done');
      return result;
    } catch (err) {
      if (err instanceof PaymentError) throw ApplicationFailure.nonRetryable(err.message, err.failureType, err.details ?? null);
      if (err instanceof PaymentProviderRejectedError) throw ApplicationFailure.nonRetryable(err.message, PAYMENT_FAILURE_TYPES.providerRejected);
      if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
      if (err instanceof NotFoundError) throw ApplicationFailure.nonRetryable(err.message, 'NotFound');
      plog.warn({ activity: name, ...meta, err: (err as Error).message }, 'payments activity failed; Temporal retries it');
      throw err;
    }
  }

  return {
    /** The payment row (status 'created'), once per payment id. */
    async paymentsCreate(input: { paymentId: string; guildId: string; userId: string; amount: string; requestKey: string }): Promise<{ status: string }> {
      return run('paymentsCreate', { paymentId: input.paymentId }, async () => {
        const p = await createPayment(prisma, {
          id: input.paymentId,
          guildId: input.guildId,
          userId: input.userId,
          provider: gateway().provider.name,
          amount: BigInt(input.amount),
          requestKey: input.requestKey,
        });
        return { status: p.status };
      });
    },

    /**
     * Creates the gateway's charge (a QRIS code) valid for `expirySeconds`, and stores it. Again for the
     * same payment: the stored charge.
     */
    async paymentsCharge(input: { paymentId: string; expirySeconds: number }): Promise<{ transactionId: string | null; qrUrl: string | null; status: string }> {
      return run('paymentsCharge', { paymentId: input.paymentId }, async () => {
        const before = await getPayment(prisma, input.paymentId);
        if (before.status !== 'created') return { transactionId: before.providerTransactionId, qrUrl: before.qrUrl, status: before.status };
        const { provider, notificationUrl } = gateway();
        const charge = await provider.createCharge({ orderId: before.id, amount: Number(before.amount), expirySeconds: input.expirySeconds, notificationUrl });
        const p = await recordCharge(prisma, before.id, charge);
        plog.info({ paymentId: p.id, transactionId: p.providerTransactionId, amount: p.amount.toString() }, 'charge created');
        return { transactionId: p.providerTransactionId, qrUrl: p.qrUrl, status: p.status };
      });
    },

    /** The charge could not be made, or the paid amount cannot be credited: the payment is failed with the reason. */
    async paymentsFail(input: { paymentId: string; reason: string }): Promise<{ status: string }> {
      return run('paymentsFail', { paymentId: input.paymentId }, async () => ({ status: (await failPayment(prisma, input.paymentId, input.reason)).status }));
    },

    /**
     * Shows the member the QR code (an image attached to the /topup reply, which is ephemeral) with the
     * amount and the expiry. Without a reply to edit (a top-up started from the API) nothing is shown.
     */
    async paymentsShowQr(input: { paymentId: string; reply: InteractionReply | null; expiresAt: string }): Promise<{ shown: boolean; withImage: boolean }> {
      return run('paymentsShowQr', { paymentId: input.paymentId }, async () => {
        if (!input.reply) return { shown: false, withImage: false };
        const p = await getPayment(prisma, input.paymentId);
        const asset = await assetLabel(prisma, p.guildId, p.assetCode);
        let image: Buffer | null = null;
        if (p.qrUrl) {
          try {
            image = await gateway().provider.fetchQrImage(p.qrUrl);
          } catch (err) {
            plog.warn({ paymentId: p.id, err: (err as Error).message }, 'QR image unavailable; showing its link');
          }
        }
        const embed = qrEmbed(p, asset, new Date(input.expiresAt), image !== null);
        await d.discordEditOriginal({
          reply: input.reply,
          message: { embeds: [embed], components: [] },
          files: image ? [{ name: QR_FILE_NAME, data: image, contentType: 'image/png' }] : undefined,
        });
        return { shown: true, withImage: image !== null };
      });
    },

    /** The reconciler's question: what does the gateway say now? null when it has no such transaction. */
    async paymentsCheckStatus(input: { paymentId: string }): Promise<PaymentUpdate | null> {
      return run('paymentsCheckStatus', input, async () => {
        const r = await gateway().provider.getStatus(input.paymentId);
        return r ? toUpdate(r, 'poll') : null;
      });
    },

    /** Cancels the charge at the gateway (after the late-payment window); the status it ends in. */
    async paymentsCancel(input: { paymentId: string }): Promise<PaymentUpdate | null> {
      return run('paymentsCancel', input, async () => {
        const r = await gateway().provider.cancel(input.paymentId);
        return r ? toUpdate(r, 'cancel') : null;
      });
    },

    /** Credits the member once (ledger key `topup:{id}:credit`) and marks the payment settled. */
    async paymentsCredit(input: { paymentId: string; update: PaymentUpdate }): Promise<{ replayed: boolean; credit: string; entryId: string }> {
      return run('paymentsCredit', { paymentId: input.paymentId }, async () => {
        const r = await creditPayment(prisma, input.paymentId, input.update);
        plog.info({ paymentId: input.paymentId, replayed: r.replayed, credit: r.payment.credit.toString(), source: input.update.source }, 'top-up credited');
        return { replayed: r.replayed, credit: r.payment.credit.toString(), entryId: r.entry.id.toString() };
      });
    },

    /** The payment ended unpaid (ours or the gateway's expiry, a refusal, a cancellation). */
    async paymentsEnd(input: { paymentId: string; status: 'expired' | 'denied' | 'cancelled'; providerStatus: string | null }): Promise<{ status: string }> {
      return run('paymentsEnd', { paymentId: input.paymentId, status: input.status }, async () => ({
        status: (await endPayment(prisma, input.paymentId, input.status, input.providerStatus)).status,
      }));
    },

    /**
     * Tells the member: the receipt by DM when paid; otherwise the /topup reply is edited while its token
     * is valid, else a DM. Closed DMs are logged, not a failure.
     */
    async paymentsNotifyMember(input: { paymentId: string; event: 'paid' | 'expired' | 'denied' | 'cancelled' | 'failed'; reply: InteractionReply | null; reason?: string }): Promise<{ via: string }> {
      return run('paymentsNotifyMember', { paymentId: input.paymentId, event: input.event }, async () => {
        const p = await getPayment(prisma, input.paymentId);
        let embed;
        if (input.event === 'paid') {
          const asset = await assetLabel(prisma, p.guildId, p.assetCode);
          const bal = await ledger.balance(p.guildId, userAccount(p.userId), p.assetCode);
          embed = paidEmbed(p, asset, bal.balance);
        } else {
          embed = endedEmbed(p, input.event, input.reason);
        }
        // The receipt goes by DM (a lasting record); the QR message is replaced too so it is not scanned again.
        if (input.event === 'paid' && input.reply) {
          await d.discordEditOriginal({ reply: input.reply, message: { embeds: [embed], components: [] } }).catch((err: unknown) => {
            plog.info({ paymentId: p.id, err: (err as Error).message }, 'could not replace the QR message');
          });
        }
        const result = await d.discordNotifyMember({ userId: p.userId, reply: input.event === 'paid' ? null : input.reply, message: { embeds: [embed], components: [] } });
        if (result.via === 'none') plog.info({ paymentId: p.id, why: result.why }, 'member could not be told');
        return { via: result.via };
      });
    },

    /** Something an admin must look at (an amount that does not match, a charge refused). */
    async paymentsNotifyAdmins(input: { paymentId: string; detail: string }): Promise<{ posted: boolean }> {
      return run('paymentsNotifyAdmins', { paymentId: input.paymentId }, async () => {
        const p = await getPayment(prisma, input.paymentId);
        return { posted: (await d.discordPostAdminLog({ guildId: p.guildId, message: { embeds: [adminEmbed(p, input.detail)] } })).posted };
      });
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
