import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type FakeRequest, type FakeResponse, type FaultControls, type FaultStatus, httpRequest, startFakeServer } from './http-fake';
import { jakartaTime, qrisString } from './midtrans-format';
import { patternPng } from './png';

/**
 * A fake of Midtrans's Core API for QRIS, behaving like the sandbox: charge, status, cancel, expire, the
 * QR image URL, and signed HTTP notifications POSTed to our webhook when a transaction changes — with
 * retries on non-2xx answers and modes that send duplicates, stale out-of-order ones, or nothing.
 *
 * The signature is computed here with its own crypto call, not with lib/payments, so a wrong formula in
 * production code fails the tests instead of agreeing with itself.
 */

export type MidtransTransactionStatus = 'pending' | 'settlement' | 'deny' | 'cancel' | 'expire';
export type NotificationMode = 'normal' | 'duplicate' | 'out-of-order' | 'drop';

export interface FakeMidtransOptions {
  serverKey: string;
  /** Where notifications go (the "Payment Notification URL" of the dashboard). */
  notificationUrl?: string;
  merchantId?: string;
  /** QRIS expiry when the charge has no custom_expiry; Midtrans's default is 15 minutes. */
  qrisExpiryMinutes?: number;
  /** Overrides qrisExpiryMinutes, for tests that wait for an expiry. */
  expirySeconds?: number;
  /** Global notification mode; setNotificationMode(mode, orderId) overrides per order. */
  notifications?: NotificationMode;
  /** Send the 'pending' notification right after a charge, as Midtrans does (default true). */
  notifyPending?: boolean;
  /** Delivery attempts per notification (default 5) and the waits between them (the last repeats). */
  retry?: { maxAttempts?: number; backoffMs?: number[] };
  /** How long the fake waits for our webhook's answer; Midtrans waits 15 s. */
  notificationTimeoutMs?: number;
}

export interface FakeMidtransTransaction {
  orderId: string;
  transactionId: string;
  grossAmount: string;
  status: MidtransTransactionStatus;
  acquirer: string;
  qrString: string;
  qrUrl: string;
  transactionTime: string;
  expiryTime: string;
  settlementTime?: string;
}

export interface NotificationAttempt {
  at: Date;
  /** Our webhook's HTTP status; absent when the request failed (refused, timed out). */
  status?: number;
  error?: string;
  responseText?: string;
}

export interface SentNotification {
  seq: number;
  orderId: string;
  /** null when no notification URL was configured (nothing could be sent). */
  url: string | null;
  /** 'status' for a status change, 'duplicate' for the second copy, 'stale' for the late 'pending'. */
  kind: 'status' | 'duplicate' | 'stale';
  body: Record<string, string>;
  /** The exact bytes POSTed. */
  raw: string;
  attempts: NotificationAttempt[];
  delivered: boolean;
  /** No further attempt will be made. */
  done: boolean;
}

export interface FakeMidtrans extends FaultControls {
  url: string;
  close(): Promise<void>;
  /** Test actions: the customer pays / is refused / the QR times out. Resolve after each resulting notification's first attempt. */
  pay(orderId: string): Promise<void>;
  deny(orderId: string): Promise<void>;
  expire(orderId: string): Promise<void>;
  setNotificationUrl(url: string | undefined): void;
  setNotificationMode(mode: NotificationMode, orderId?: string): void;
  charge(orderId: string): FakeMidtransTransaction | undefined;
  transactions(): FakeMidtransTransaction[];
  notifications(): SentNotification[];
  /** Resolves when no notification is being sent or waiting for a retry. */
  idle(): Promise<void>;
}

interface Txn {
  transactionId: string;
  orderId: string;
  grossAmount: string;
  acquirer: string;
  qrString: string;
  transactionTime: Date;
  expiryTime: Date;
  settlementTime?: Date;
  status: MidtransTransactionStatus;
  mode?: NotificationMode;
  /** From X-Override-Notification / X-Append-Notification on the charge. */
  overrideUrls?: string[];
  appendUrls: string[];
  heldPending: boolean;
  expiryTimer?: NodeJS.Timeout;
  /** First delivery attempts of this order's notifications run one after another, in order. */
  chain: Promise<void>;
}

const ORDER_ID = /^[A-Za-z0-9\-_.~]{1,50}$/;
const UNIT_MS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export async function startFakeMidtrans(options: FakeMidtransOptions): Promise<FakeMidtrans> {
  const { serverKey } = options;
  if (!serverKey) throw new Error('startFakeMidtrans needs a serverKey');
  const merchantId = options.merchantId ?? 'G123456789';
  const defaultExpiryMs = options.expirySeconds !== undefined ? options.expirySeconds * 1_000 : (options.qrisExpiryMinutes ?? 15) * 60_000;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 5);
  const backoffMs = options.retry?.backoffMs?.length ? options.retry.backoffMs : [100, 200, 400, 800];
  const timeoutMs = options.notificationTimeoutMs ?? 15_000;
  const notifyPending = options.notifyPending ?? true;
  let notificationUrl = options.notificationUrl;
  let globalMode: NotificationMode = options.notifications ?? 'normal';

  const byOrder = new Map<string, Txn>();
  const byTransactionId = new Map<string, Txn>();
  const all: Txn[] = [];
  const sent: SentNotification[] = [];
  const deliveries = new Set<Promise<void>>();
  let base = '';
  let closed = false;
  // Aborted by close(): stops retry waits and notifications in flight.
  const stop = new AbortController();
  const { signal } = stop;

  const signature = (orderId: string, statusCode: string, grossAmount: string) =>
    createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');

  const view = (t: Txn): FakeMidtransTransaction => ({
    orderId: t.orderId,
    transactionId: t.transactionId,
    grossAmount: t.grossAmount,
    status: t.status,
    acquirer: t.acquirer,
    qrString: t.qrString,
    qrUrl: `${base}/v2/qris/${t.transactionId}/qr-code`,
    transactionTime: jakartaTime(t.transactionTime),
    expiryTime: jakartaTime(t.expiryTime),
    ...(t.settlementTime ? { settlementTime: jakartaTime(t.settlementTime) } : {}),
  });

  // ---- notifications -------------------------------------------------------------------------------

  const NOTIFICATION_CODE: Record<MidtransTransactionStatus, string> = { settlement: '200', pending: '201', deny: '202', cancel: '202', expire: '202' };

  /** The body Midtrans POSTs for a QRIS transaction in `status` (key order as in Midtrans's samples). */
  const notificationBody = (t: Txn, status: MidtransTransactionStatus): Record<string, string> => {
    const statusCode = NOTIFICATION_CODE[status];
    const settled = status === 'settlement' && t.settlementTime ? jakartaTime(t.settlementTime) : undefined;
    return {
      transaction_type: 'on-us',
      transaction_time: jakartaTime(t.transactionTime),
      transaction_status: status,
      transaction_id: t.transactionId,
      status_message: 'midtrans payment notification',
      status_code: statusCode,
      signature_key: signature(t.orderId, statusCode, t.grossAmount),
      ...(settled ? { settlement_time: settled } : {}),
      payment_type: 'qris',
      order_id: t.orderId,
      merchant_id: merchantId,
      ...(settled ? { issuer: t.acquirer } : {}),
      gross_amount: t.grossAmount,
      fraud_status: 'accept',
      expiry_time: jakartaTime(t.expiryTime),
      currency: 'IDR',
      acquirer: t.acquirer,
    };
  };

  const attempt = async (record: SentNotification, url: string): Promise<boolean> => {
    const entry: NotificationAttempt = { at: new Date() };
    record.attempts.push(entry);
    try {
      const res = await httpRequest(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'Veritrans' },
        body: record.raw,
        timeoutMs,
        signal,
      });
      entry.status = res.status;
      entry.responseText = res.text.slice(0, 500);
      return res.status >= 200 && res.status < 300;
    } catch (err) {
      entry.error = err instanceof Error ? err.message : String(err);
      return false;
    }
  };

  const retryLater = (record: SentNotification, url: string) => {
    const run = (async () => {
      try {
        for (let n = 2; n <= maxAttempts; n++) {
          await delay(backoffMs[Math.min(n - 2, backoffMs.length - 1)] ?? 0, undefined, { signal });
          if (await attempt(record, url)) {
            record.delivered = true;
            return;
          }
        }
      } catch {
        // close() aborted the wait: stop retrying.
      } finally {
        record.done = true;
      }
    })();
    deliveries.add(run);
    void run.finally(() => deliveries.delete(run));
  };

  /** Queues one notification body to every target URL; first attempts run in the order's chain. */
  const dispatch = (t: Txn, body: Record<string, string>, kind: SentNotification['kind']) => {
    const targets = [...(t.overrideUrls ?? (notificationUrl ? [notificationUrl] : [])), ...t.appendUrls];
    const raw = JSON.stringify(body);
    if (targets.length === 0) {
      sent.push({ seq: sent.length + 1, orderId: t.orderId, url: null, kind, body, raw, attempts: [], delivered: false, done: true });
      return;
    }
    for (const url of targets) {
      const record: SentNotification = { seq: sent.length + 1, orderId: t.orderId, url, kind, body, raw, attempts: [], delivered: false, done: false };
      sent.push(record);
      t.chain = t.chain.then(async () => {
        if (!closed && (await attempt(record, url))) record.delivered = true;
        if (!record.delivered && maxAttempts > 1 && !closed) retryLater(record, url);
        else record.done = true;
      });
    }
  };

  /** Sends what a status change produces under the order's mode; resolves after the first attempts. */
  const notify = (t: Txn): Promise<void> => {
    const mode = t.mode ?? globalMode;
    if (t.status === 'pending') {
      if (!notifyPending || mode === 'drop') return t.chain;
      if (mode === 'out-of-order') {
        // Out of order: hold the creation notification back until after the next change.
        t.heldPending = true;
        return t.chain;
      }
    }
    if (mode !== 'drop') {
      const body = notificationBody(t, t.status);
      dispatch(t, body, 'status');
      if (mode === 'duplicate') dispatch(t, body, 'duplicate');
    }
    if (t.status !== 'pending' && (t.heldPending || (mode === 'out-of-order' && t.status === 'settlement'))) {
      t.heldPending = false;
      if (mode !== 'drop') dispatch(t, notificationBody(t, 'pending'), 'stale');
    }
    const chained = t.chain;
    deliveries.add(chained);
    void chained.finally(() => deliveries.delete(chained));
    return chained;
  };

  const transition = (t: Txn, status: MidtransTransactionStatus): Promise<void> => {
    if (t.status !== 'pending') throw new Error(`order ${t.orderId} is ${t.status}; only a pending transaction can become ${status}`);
    t.status = status;
    if (status === 'settlement') t.settlementTime = new Date();
    clearTimeout(t.expiryTimer);
    t.expiryTimer = undefined;
    return notify(t);
  };

  /** The timer may fire late; a status read after expiry_time must not still say pending. */
  const expireIfDue = (t: Txn) => {
    if (t.status === 'pending' && Date.now() >= t.expiryTime.getTime()) void transition(t, 'expire');
  };

  // ---- API ----------------------------------------------------------------------------------------

  const answer = (statusCode: number, json: Record<string, unknown>): FakeResponse => ({ status: statusCode, json });
  // Errors carry their code in the body's status_code too; Midtrans's own clients check that field.
  const error = (statusCode: number, message: string, extra: Record<string, unknown> = {}): FakeResponse =>
    answer(statusCode, { status_code: String(statusCode), status_message: message, id: randomUUID(), ...extra });

  const authorized = (req: FakeRequest) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+(\S+)$/i.exec(header);
    return match?.[1] !== undefined && Buffer.from(match[1], 'base64').toString('utf8') === `${serverKey}:`;
  };

  const urlList = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value.join(',') : (value ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 3); // Midtrans takes at most 3

  const invalid = (...messages: string[]) => error(400, 'One or more parameters in the payload is invalid.', { validation_messages: messages });

  const charge = (req: FakeRequest): FakeResponse => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null) throw new Error('not an object');
    } catch {
      return error(400, 'Invalid JSON in request body');
    }
    if (body.payment_type !== 'qris') return invalid(`payment_type ${String(body.payment_type)} is not supported by this fake (qris only)`);
    const details = (body.transaction_details ?? {}) as Record<string, unknown>;
    const orderId = details.order_id;
    const amount = details.gross_amount;
    const problems: string[] = [];
    if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) problems.push('transaction_details.order_id is required, at most 50 of [A-Za-z0-9-_.~]');
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1) problems.push('transaction_details.gross_amount must be a whole number of rupiah, at least 1');
    const acquirer = ((body.qris ?? {}) as Record<string, unknown>).acquirer ?? 'gopay';
    if (acquirer !== 'gopay' && acquirer !== 'airpay shopee') problems.push('qris.acquirer must be gopay or airpay shopee');
    let expiryMs = defaultExpiryMs;
    if (body.custom_expiry !== undefined) {
      const { expiry_duration, unit } = body.custom_expiry as Record<string, unknown>;
      const unitMs = typeof unit === 'string' ? UNIT_MS[unit] : undefined;
      if (typeof expiry_duration !== 'number' || !(expiry_duration > 0) || unitMs === undefined) problems.push('custom_expiry needs expiry_duration > 0 and unit second|minute|hour|day');
      else expiryMs = expiry_duration * unitMs;
    }
    if (problems.length > 0 || typeof orderId !== 'string' || typeof amount !== 'number' || typeof acquirer !== 'string') return invalid(...problems);

    const existing = byOrder.get(orderId);
    // An order id can be charged again only once its transaction has failed (Midtrans lets expired and cancelled ones be reused).
    if (existing && (existing.status === 'pending' || existing.status === 'settlement')) {
      return error(406, 'The request could not be completed due to a conflict with the current state of the target resource, please try again');
    }

    const now = new Date();
    const transactionId = randomUUID();
    const t: Txn = {
      transactionId,
      orderId,
      grossAmount: amount.toFixed(2),
      acquirer,
      qrString: qrisString(merchantId, transactionId, amount, orderId),
      transactionTime: now,
      expiryTime: new Date(now.getTime() + expiryMs),
      status: 'pending',
      overrideUrls: req.headers['x-override-notification'] ? urlList(req.headers['x-override-notification']) : undefined,
      appendUrls: urlList(req.headers['x-append-notification']),
      heldPending: false,
      chain: Promise.resolve(),
    };
    // Beyond setTimeout's range (~24 days) the lazy check on reads is enough.
    if (expiryMs < 2 ** 31 - 10) {
      t.expiryTimer = setTimeout(() => expireIfDue(t), expiryMs + 5);
      t.expiryTimer.unref();
    }
    if (existing) byTransactionId.delete(existing.transactionId);
    byOrder.set(orderId, t);
    byTransactionId.set(transactionId, t);
    all.push(t);
    void notify(t);

    return answer(200, {
      status_code: '201',
      status_message: 'QRIS transaction is created',
      ...transactionFields(t),
      transaction_status: 'pending',
      fraud_status: 'accept',
      actions: [{ name: 'generate-qr-code', method: 'GET', url: `${base}/v2/qris/${t.transactionId}/qr-code` }],
      qr_string: t.qrString,
      acquirer: t.acquirer,
      expiry_time: jakartaTime(t.expiryTime),
    });
  };

  /** The fields every answer about a transaction carries. */
  const transactionFields = (t: Txn) => ({
    transaction_id: t.transactionId,
    order_id: t.orderId,
    merchant_id: merchantId,
    gross_amount: t.grossAmount,
    currency: 'IDR',
    payment_type: 'qris',
    transaction_time: jakartaTime(t.transactionTime),
  });

  // GET status uses its own codes: 407 for expire, as Midtrans's clients expect.
  const STATUS_CODE: Record<MidtransTransactionStatus, string> = { settlement: '200', pending: '201', deny: '202', cancel: '202', expire: '407' };

  const status = (t: Txn): FakeResponse => {
    expireIfDue(t);
    const statusCode = STATUS_CODE[t.status];
    return answer(200, {
      ...notificationBody(t, t.status),
      status_code: statusCode,
      status_message: 'Success, transaction is found',
      signature_key: signature(t.orderId, statusCode, t.grossAmount),
    });
  };

  const modify = (t: Txn, to: 'cancel' | 'expire'): FakeResponse => {
    expireIfDue(t);
    if (t.status !== 'pending') return error(412, 'Merchant cannot modify the status of the transaction');
    void transition(t, to);
    return answer(200, {
      status_code: to === 'cancel' ? '200' : '407',
      status_message: to === 'cancel' ? 'Success, transaction is canceled' : 'Success, transaction has expired',
      ...transactionFields(t),
      transaction_status: t.status,
      fraud_status: 'accept',
    });
  };

  const handle = (req: FakeRequest): FakeResponse => {
    const path = req.url.pathname;
    const qr = /^\/v2\/qris\/([^/]+)\/qr-code$/.exec(path);
    // The QR image URL is public (it is shown to the customer), so it needs no key.
    if (req.method === 'GET' && qr?.[1]) {
      const t = byTransactionId.get(decodeURIComponent(qr[1]));
      return t ? { status: 200, body: patternPng(t.qrString), contentType: 'image/png' } : error(404, "Transaction doesn't exist.");
    }
    if (!authorized(req)) return error(401, 'Access denied due to unauthorized transaction, please check client or server key');
    if (req.method === 'POST' && path === '/v2/charge') return charge(req);
    const action = /^\/v2\/([^/]+)\/(status|cancel|expire)$/.exec(path);
    if (action?.[1] && action[2]) {
      const id = decodeURIComponent(action[1]);
      const t = byOrder.get(id) ?? byTransactionId.get(id);
      if (!t) return error(404, "Transaction doesn't exist.");
      if (req.method === 'GET' && action[2] === 'status') return status(t);
      if (req.method === 'POST' && action[2] === 'cancel') return modify(t, 'cancel');
      if (req.method === 'POST' && action[2] === 'expire') return modify(t, 'expire');
    }
    return error(404, 'The requested resource is not found');
  };

  const faultResponse = (code: FaultStatus): FakeResponse => {
    const message =
      code === 429
        ? 'Too many requests. Please retry after a while.'
        : code === 503
          ? 'Midtrans is under maintenance. Please retry after a while.'
          : 'Sorry. Our system is recovering from unexpected issues. Please retry.';
    return error(code, message);
  };

  const server = await startFakeServer({ handle, faultResponse });
  base = server.url;

  const mustGet = (orderId: string) => {
    const t = byOrder.get(orderId);
    if (!t) throw new Error(`fake Midtrans has no transaction for order ${orderId}`);
    return t;
  };

  return {
    url: server.url,
    inject: server.inject,
    setLatency: server.setLatency,
    clearFaults: server.clearFaults,
    requests: server.requests,
    inFlight: server.inFlight,
    close: async () => {
      closed = true;
      stop.abort();
      for (const t of all) clearTimeout(t.expiryTimer);
      await server.close();
      await Promise.allSettled([...deliveries]);
    },
    pay: async (orderId) => transition(mustGet(orderId), 'settlement'),
    deny: async (orderId) => transition(mustGet(orderId), 'deny'),
    expire: async (orderId) => transition(mustGet(orderId), 'expire'),
    setNotificationUrl: (url) => {
      notificationUrl = url;
    },
    setNotificationMode: (mode, orderId) => {
      if (orderId === undefined) globalMode = mode;
      else mustGet(orderId).mode = mode;
    },
    charge: (orderId) => {
      const t = byOrder.get(orderId);
      return t && view(t);
    },
    transactions: () => all.map(view),
    notifications: () => sent.map((n) => ({ ...n, body: { ...n.body }, attempts: n.attempts.map((a) => ({ ...a })) })),
    idle: async () => {
      while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
    },
  };
}
