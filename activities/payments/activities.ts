import { PaymentProviderRejectedError, type PaymentsDeps, type StatusReport } from '../../lib/payments/provider';
import type { InteractionReply } from '../../lib/flows/flow';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { assetLabel } from '../shop/messages';
import { PAYMENT_FAILURES, type PaymentUpdate } from '../../lib/flows/payments';
import { PaymentError, paymentNotConfirmed, paymentsDisabled, providerRejected } from './errors';
import { adminEmbed, endedEmbed, limitEmbed, paidEmbed, qrEmbed, QR_FILE_NAME } from './messages';
import { createPayment, creditPayment, endPayment, failPayment, getPayment, recordCharge } from './payments';

const toUpdate = (r: StatusReport, source: PaymentUpdate['source']): PaymentUpdate => ({
  status: r.status,
  providerStatus: r.providerStatus,
  fraudStatus: r.fraudStatus,
  transactionId: r.transactionId,
  grossAmount: r.grossAmount,
  source,
});

interface CreditOutcome {
  replayed: boolean;
  credit: string;
  entryId: string;
}

/**
 * Payments as Temporal activities for the top-up workflow, each keyed by the payment id (a retry finds
 * the row as the first attempt left it). Gateway refusals are non-retryable `PaymentProviderRejected`;
 * an unreachable gateway is retried by Temporal.
 */
export function createPaymentActivities({ prisma, log, discordActivities: d, payments }: FeatureDeps) {
  const plog = log.child({ component: 'payments' });
  const ledger = createLedger(prisma);

  /** A call to the gateway: its refusals become the feature's; an outage stays retryable. */
  async function atGateway<T>(call: (gateway: PaymentsDeps) => Promise<T>): Promise<T> {
    if (!payments) throw paymentsDisabled();
    try {
      return await call(payments);
    } catch (err) {
      throw err instanceof PaymentProviderRejectedError ? providerRejected(err) : err;
    }
  }

  /** Credits a payment the gateway confirmed paid, once (ledger key `topup:{id}:credit`). */
  async function credit(paymentId: string, confirmed: StatusReport, source: PaymentUpdate['source']): Promise<CreditOutcome> {
    const r = await creditPayment(prisma, paymentId, confirmed);
    plog.info({ paymentId, replayed: r.replayed, credit: r.payment.credit.toString(), source }, 'top-up credited');
    return { replayed: r.replayed, credit: r.payment.credit.toString(), entryId: r.entry.id.toString() };
  }

  return defineActivities(log, 'payments', {
    /**
     * The payment row (status 'created'), once per payment id. A member at the hourly top-up limit (the
     * bot checks first; this is the race it could not see) is told by DM here, since the flow ends on
     * the refusal before there is a payment to talk about.
     */
    async paymentsCreate(input: { paymentId: string; guildId: string; userId: string; amount: string; requestKey: string }): Promise<{ status: string }> {
      try {
        const p = await createPayment(prisma, {
          id: input.paymentId,
          guildId: input.guildId,
          userId: input.userId,
          provider: await atGateway(async (g) => g.provider.name),
          amount: BigInt(input.amount),
          requestKey: input.requestKey,
        });
        return { status: p.status };
      } catch (err) {
        if (err instanceof PaymentError && err.failureType === PAYMENT_FAILURES.memberLimit) {
          await d.discordNotifyMember({ userId: input.userId, reply: null, message: { embeds: [limitEmbed(input.paymentId, err.message)], components: [] } });
        }
        throw err;
      }
    },

    /**
     * Creates the gateway's charge (a QRIS code) valid for `expirySeconds`, and stores it. Again for the
     * same payment: the stored charge.
     */
    async paymentsCharge(input: { paymentId: string; expirySeconds: number }): Promise<{ transactionId: string | null; qrUrl: string | null; status: string }> {
      const before = await getPayment(prisma, input.paymentId);
      if (before.status !== 'created') return { transactionId: before.providerTransactionId, qrUrl: before.qrUrl, status: before.status };
      const charge = await atGateway((g) => g.provider.createCharge({ orderId: before.id, amount: Number(before.amount), expirySeconds: input.expirySeconds, notificationUrl: g.notificationUrl }));
      const p = await recordCharge(prisma, before.id, charge);
      plog.info({ paymentId: p.id, transactionId: p.providerTransactionId, amount: p.amount.toString() }, 'charge created');
      return { transactionId: p.providerTransactionId, qrUrl: p.qrUrl, status: p.status };
    },

    /** The charge could not be made, or the paid amount cannot be credited: the payment is failed with the reason. */
    async paymentsFail(input: { paymentId: string; reason: string }): Promise<{ status: string }> {
      return { status: (await failPayment(prisma, input.paymentId, input.reason)).status };
    },

    /**
     * Shows the member the QR code (an image attached to the /topup reply, which is ephemeral) with the
     * amount and the expiry. Without a reply to edit (a top-up started from the API) nothing is shown.
     */
    async paymentsShowQr(input: { paymentId: string; reply: InteractionReply | null; expiresAt: string }): Promise<{ shown: boolean; withImage: boolean }> {
      if (!input.reply) return { shown: false, withImage: false };
      const p = await getPayment(prisma, input.paymentId);
      const asset = await assetLabel(prisma, p.guildId, p.assetCode);
      let image: Buffer | null = null;
      const qrUrl = p.qrUrl;
      if (qrUrl) {
        try {
          image = await atGateway((g) => g.provider.fetchQrImage(qrUrl));
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
    },

    /** The reconciler's question: what does the gateway say now? null when it has no such transaction. */
    async paymentsCheckStatus(input: { paymentId: string }): Promise<PaymentUpdate | null> {
      const r = await atGateway((g) => g.provider.getStatus(input.paymentId));
      return r ? toUpdate(r, 'poll') : null;
    },

    /** Cancels the charge at the gateway (after the late-payment window); the status it ends in. */
    async paymentsCancel(input: { paymentId: string }): Promise<PaymentUpdate | null> {
      const r = await atGateway((g) => g.provider.cancel(input.paymentId));
      return r ? toUpdate(r, 'cancel') : null;
    },

    /**
     * Credits the member once (ledger key `topup:{id}:credit`) and marks the payment settled — only when
     * the gateway's status API says paid, with our amount. `update` says why the flow thinks so; it is
     * never taken for the gateway's word (it may come from a signal).
     */
    async paymentsCredit(input: { paymentId: string; update: PaymentUpdate }): Promise<CreditOutcome> {
      const confirmed = await atGateway((g) => g.provider.getStatus(input.paymentId));
      if (confirmed?.status !== 'paid') throw paymentNotConfirmed(input.paymentId, confirmed?.providerStatus ?? null);
      return credit(input.paymentId, confirmed, input.update.source);
    },

    /**
     * The reconciler's question and, when the gateway says paid, the credit (as `paymentsCredit` makes it)
     * in the same step: a poll or a notification that finds the payment paid credits it without another
     * round trip. `credited: false` beside a paid status when the credit could not be made here (the
     * database away, an amount that does not match): the flow's own credit step then makes it or fails it.
     */
    async paymentsCheckAndCredit(input: { paymentId: string }): Promise<{ update: PaymentUpdate | null; credited: boolean }> {
      const r = await atGateway((g) => g.provider.getStatus(input.paymentId));
      if (!r) return { update: null, credited: false };
      const update = toUpdate(r, 'poll');
      if (r.status !== 'paid') return { update, credited: false };
      try {
        await credit(input.paymentId, r, update.source);
        return { update, credited: true };
      } catch (err) {
        plog.warn({ paymentId: input.paymentId, err: (err as Error).message }, 'paid, but not credited with the status check; the credit step takes over');
        return { update, credited: false };
      }
    },

    /** The payment ended unpaid (ours or the gateway's expiry, a refusal, a cancellation). */
    async paymentsEnd(input: { paymentId: string; status: 'expired' | 'denied' | 'cancelled'; providerStatus: string | null }): Promise<{ status: string }> {
      return { status: (await endPayment(prisma, input.paymentId, input.status, input.providerStatus)).status };
    },

    /**
     * Tells the member: the receipt by DM when paid; otherwise the /topup reply is edited while its token
     * is valid, else a DM. Closed DMs are logged, not a failure.
     */
    async paymentsNotifyMember(input: { paymentId: string; event: 'paid' | 'expired' | 'denied' | 'cancelled' | 'failed'; reply: InteractionReply | null; reason?: string }): Promise<{ via: string }> {
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
    },

    /** Something an admin must look at (an amount that does not match, a charge refused). */
    async paymentsNotifyAdmins(input: { paymentId: string; detail: string }): Promise<{ posted: boolean }> {
      const p = await getPayment(prisma, input.paymentId);
      return { posted: (await d.discordPostAdminLog({ guildId: p.guildId, message: { embeds: [adminEmbed(p, input.detail)] } })).posted };
    },
  });
}

