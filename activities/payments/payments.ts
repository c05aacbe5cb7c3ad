import { Prisma, type Payment, type PrismaClient } from '../../prisma/client';
import { ValidationError } from '../../lib/errors';
import type { Charge, StatusReport } from '../../lib/payments/provider';
import { inTransaction } from '../../prisma/transactions';
import { transactionLedger } from '../ledger/ledger';
import { systemAccount, userAccount, type LedgerEntry } from '../ledger/types';
import { PAYMENT_FAILURES, topupFlow } from '../../lib/flows/payments';
import { PaymentError } from './errors';
import { HOUR_MS, hourlyLimit, lockMemberLimit, minutes, minutesUntilRoom, windowStart } from '../codes/member-limits';
import { getCodeShopSettings } from '../codes/stock';

/**
 * Payments in the database (the `payments` table). The top-up workflow is the only writer after
 * creation; every function is idempotent (a retried activity finds the row as it left it) and moves the
 * status forward only: created → pending → settled | expired | denied | cancelled, `failed` when no charge
 * could be made, and an `expired` (or denied/cancelled) payment still becomes `settled` when the gateway
 * says it was paid after all. `settled` is final.
 */

export interface TopupLimits {
  min: number;
  max: number;
}

/** Order ids Midtrans accepts: ≤ 50 of [A-Za-z0-9-_.~]. */
const PAYMENT_ID = /^[A-Za-z0-9\-_.~]{1,50}$/;

const creditKey = (paymentId: string): string => `topup:${paymentId}:credit`;

/** Checks an amount a member asked for against the limits; the message says what is allowed. */
export function checkTopupAmount(amount: number, limits: TopupLimits): void {
  if (!Number.isSafeInteger(amount) || amount < limits.min || amount > limits.max) {
    throw new PaymentError(
      'topup_amount_out_of_range',
      PAYMENT_FAILURES.amountOutOfRange,
      `A top-up must be a whole amount from ${limits.min.toLocaleString('en-US')} to ${limits.max.toLocaleString('en-US')} IDR.`,
      400,
      { min: limits.min, max: limits.max },
    );
  }
}

export interface CreatePaymentInput {
  id: string;
  guildId: string;
  userId: string;
  provider: string;
  amount: bigint;
  requestKey: string;
}

/**
 * The payment row for a top-up, once per id (and request key); the same id again returns it. A member at
 * the guild's hourly top-up limit is refused (TopupLimitReached) and nothing is created.
 */
export async function createPayment(prisma: PrismaClient, input: CreatePaymentInput): Promise<Payment> {
  if (!PAYMENT_ID.test(input.id)) throw new ValidationError('A payment id is 1–50 of A-Z a-z 0-9 - _ . ~');
  if (input.amount <= 0n) throw new ValidationError('A payment amount must be above 0.');
  const existing = await prisma.payment.findUnique({ where: { id: input.id } });
  if (existing) return sameRequest(existing, input);
  const limit = hourlyLimit((await getCodeShopSettings(prisma, input.guildId)).topupsPerMemberPerHour);
  try {
    return await prisma.$transaction(async (tx) => {
      if (limit) {
        // Under the member's lock, so two top-ups started at once cannot both take the last place.
        await lockMemberLimit(tx, 'topups', input.guildId, input.userId);
        await refuseAtLimit(tx, input.guildId, input.userId, limit);
      }
      return tx.payment.create({
        data: {
          id: input.id,
          guildId: input.guildId,
          userId: input.userId,
          provider: input.provider,
          amount: input.amount,
          credit: input.amount,
          assetCode: 'currency',
          requestKey: input.requestKey,
        },
      });
    });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== 'P2002') throw err;
    const again = await prisma.payment.findFirst({ where: { OR: [{ id: input.id }, { requestKey: input.requestKey }] } });
    if (again) return sameRequest(again, input);
    throw conflict(input.id);
  }
}

/** A payment already made under this id: the same request gets it back; anything else is a conflict. */
function sameRequest(existing: Payment, input: CreatePaymentInput): Payment {
  if (existing.id === input.id && existing.userId === input.userId && existing.amount === input.amount && existing.guildId === input.guildId) return existing;
  throw conflict(input.id);
}
const conflict = (id: string) => new PaymentError('payment_conflict', PAYMENT_FAILURES.paymentConflict, `Payment ${id} already exists for something else; nothing was changed.`);

/** The member is at the guild's hourly top-up limit: nothing was created or charged. */
const topupLimitReached = (limit: number, waitMinutes: number) =>
  new PaymentError('topup_limit_reached', PAYMENT_FAILURES.memberLimit, `You can start ${limit} top-up${limit === 1 ? '' : 's'} per hour; try again in ${minutes(waitMinutes)}.`, 429, { limit, retryAfterMinutes: waitMinutes });

/** Whether the member may start a top-up now (the bot asks before starting one; createPayment decides). */
export async function checkTopupRoom(prisma: PrismaClient, guildId: string, userId: string): Promise<void> {
  const limit = hourlyLimit((await getCodeShopSettings(prisma, guildId)).topupsPerMemberPerHour);
  if (limit) await refuseAtLimit(prisma, guildId, userId, limit);
}

async function refuseAtLimit(db: Prisma.TransactionClient, guildId: string, userId: string, limit: number): Promise<void> {
  const recent = await db.payment.findMany({ where: { guildId, userId, createdAt: { gte: windowStart(HOUR_MS) } }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } });
  const wait = minutesUntilRoom(recent.map((r) => r.createdAt), limit, HOUR_MS);
  if (wait !== null) throw topupLimitReached(limit, wait);
}

export async function getPayment(prisma: PrismaClient, id: string): Promise<Payment> {
  const p = await prisma.payment.findUnique({ where: { id } });
  if (!p) throw new PaymentError('payment_not_found', PAYMENT_FAILURES.paymentNotFound, `There is no payment ${id}.`, 404);
  return p;
}

/** Stores the gateway's charge (created → pending); a charge already stored is kept. */
export async function recordCharge(prisma: PrismaClient, id: string, charge: Charge): Promise<Payment> {
  await prisma.payment.updateMany({
    where: { id, status: 'created' },
    data: {
      status: 'pending',
      providerStatus: charge.providerStatus,
      providerTransactionId: charge.transactionId || null,
      qrUrl: charge.qrUrl,
      qrString: charge.qrString,
      expiresAt: charge.expiresAt,
    },
  });
  return getPayment(prisma, id);
}

/** The charge could not be made, or what was paid cannot be credited (→ failed, with the reason). Never a settled one. */
export async function failPayment(prisma: PrismaClient, id: string, reason: string): Promise<Payment> {
  await prisma.payment.updateMany({ where: { id, status: { in: ['created', 'pending', 'expired'] } }, data: { status: 'failed', failureReason: reason.slice(0, 1000) } });
  return getPayment(prisma, id);
}

const ENDINGS: Record<'expired' | 'denied' | 'cancelled', string[]> = {
  // Our own expiry (the QR is no longer shown as valid); the gateway's word can follow.
  expired: ['created', 'pending'],
  denied: ['created', 'pending', 'expired'],
  cancelled: ['created', 'pending', 'expired'],
};

/** The payment ended unpaid. A settled payment is never moved back (a regression is ignored). */
export async function endPayment(prisma: PrismaClient, id: string, status: 'expired' | 'denied' | 'cancelled', providerStatus: string | null): Promise<Payment> {
  await prisma.payment.updateMany({
    where: { id, status: { in: ENDINGS[status] } },
    data: { status, ...(providerStatus ? { providerStatus } : {}) },
  });
  return getPayment(prisma, id);
}

/** Midtrans's "10000.00" as whole rupiah, or null when it has a fraction or is not a number. */
function parseGrossAmount(gross: string): bigint | null {
  const m = /^(\d{1,18})(?:\.(\d{1,2}))?$/.exec(gross.trim());
  if (!m?.[1]) return null;
  if (m[2] && /[1-9]/.test(m[2])) return null;
  return BigInt(m[1]);
}

export interface CreditResult {
  payment: Payment;
  entry: LedgerEntry;
  /** true when this payment had been credited before: nothing moved now. */
  replayed: boolean;
}

/**
 * The gateway says it is paid: credits the member from the guild's 'gateway' account (ledger key
 * `topup:{id}:credit`, applied once) and marks the payment settled, in one transaction. Refused (and
 * nothing credited) when the paid amount is not the payment's.
 */
export async function creditPayment(prisma: PrismaClient, id: string, report: Pick<StatusReport, 'grossAmount' | 'providerStatus' | 'transactionId'>): Promise<CreditResult> {
  const before = await getPayment(prisma, id);
  const paid = parseGrossAmount(report.grossAmount);
  if (paid !== before.amount) {
    throw new PaymentError(
      'payment_amount_mismatch',
      PAYMENT_FAILURES.amountMismatch,
      `The gateway reports ${report.grossAmount} paid for payment ${id}, which is for ${before.amount}: nothing was credited, an admin must check it.`,
    );
  }
  const moved = await inTransaction(prisma, async (client) => {
    const ledger = transactionLedger(client);
    const moved = await ledger.transfer({
      guildId: before.guildId,
      key: creditKey(id),
      type: 'topup',
      actor: { type: 'system', id: 'topup' },
      reason: `Top-up of ${before.amount} ${before.currency} (${before.provider} ${report.transactionId || 'transaction'})`,
      refs: { paymentId: id, workflowId: topupFlow.id(id) },
      asset: before.assetCode,
      from: systemAccount('gateway'),
      to: userAccount(before.userId),
      amount: before.credit,
    });
    await client.query(
      `UPDATE payments SET status = 'settled', provider_status = $2, provider_transaction_id = coalesce(provider_transaction_id, nullif($3, '')),
         settled_at = coalesce(settled_at, now()), credited_at = coalesce(credited_at, now()), updated_at = now()
       WHERE id = $1`,
      [id, report.providerStatus, report.transactionId],
    );
    return moved;
  });
  return { payment: await getPayment(prisma, id), entry: moved.entry, replayed: moved.replayed };
}

export function paymentToJson(p: Payment) {
  return { ...p, amount: p.amount.toString(), credit: p.credit.toString() };
}

/** A gateway notification as the webhook records it. */
export interface NotificationRecord {
  provider: string;
  orderId: string;
  transactionId: string;
  transactionStatus: string;
  statusCode: string;
  fraudStatus: string | null;
  grossAmount: string;
  body: Record<string, unknown>;
}

/**
 * Records a notification durably, once per (provider, transaction, status). `duplicate: true` when it
 * was recorded before: the caller answers 200 and does nothing else.
 */
export async function recordNotification(prisma: PrismaClient, n: NotificationRecord): Promise<{ id: bigint; duplicate: boolean }> {
  const rows = await prisma.$queryRaw<{ id: bigint }[]>`
    INSERT INTO payment_notifications (provider, order_id, transaction_id, transaction_status, status_code, fraud_status, gross_amount, body)
    VALUES (${n.provider}, ${n.orderId}, ${n.transactionId}, ${n.transactionStatus}, ${n.statusCode}, ${n.fraudStatus}, ${n.grossAmount}, ${JSON.stringify(n.body)}::jsonb)
    ON CONFLICT (provider, transaction_id, transaction_status) DO NOTHING
    RETURNING id`;
  const row = rows[0];
  if (row) return { id: row.id, duplicate: false };
  const existing = await prisma.paymentNotification.findUniqueOrThrow({
    where: { provider_transactionId_transactionStatus: { provider: n.provider, transactionId: n.transactionId, transactionStatus: n.transactionStatus } },
    select: { id: true },
  });
  return { id: existing.id, duplicate: true };
}

export async function markNotificationSignalled(prisma: PrismaClient, id: bigint): Promise<void> {
  await prisma.paymentNotification.update({ where: { id }, data: { signalledAt: new Date() } });
}

