import type { Charge, ChargeRequest, PaymentProvider, PaymentStatus, StatusReport } from './provider';
import { PaymentProviderRejectedError, PaymentProviderUnavailableError } from './provider';

/**
 * Midtrans Core API for QRIS (https://docs.midtrans.com/reference/qris): POST /v2/charge with
 * payment_type 'qris', GET /v2/{order_id}/status, POST /v2/{order_id}/cancel. Authenticated with HTTP
 * Basic `serverKey:`. Midtrans answers some refusals with HTTP 200 and the real code in the body's
 * `status_code`, so both are checked.
 */
export interface MidtransOptions {
  serverKey: string;
  /** https://api.sandbox.midtrans.com or https://api.midtrans.com (tests: the fake's URL). */
  apiUrl: string;
  timeoutMs?: number;
  /** 'gopay' (default) or 'airpay shopee'. */
  acquirer?: string;
}

type Body = Record<string, unknown>;

/** Midtrans's transaction_status (+ fraud_status for card captures) in our words. */
export function midtransStatus(transactionStatus: string, fraudStatus?: string | null): PaymentStatus {
  switch (transactionStatus) {
    case 'settlement':
      return 'paid';
    case 'capture':
      return fraudStatus === 'accept' ? 'paid' : fraudStatus === 'deny' ? 'denied' : 'pending';
    case 'pending':
    case 'authorize':
      return 'pending';
    case 'deny':
      return 'denied';
    case 'expire':
      return 'expired';
    case 'cancel':
      return 'cancelled';
    case 'failure':
      return 'failed';
    case 'refund':
    case 'partial_refund':
    case 'chargeback':
    case 'partial_chargeback':
      return 'refunded';
    default:
      return 'pending';
  }
}

/** Midtrans writes times as 'YYYY-MM-DD HH:mm:ss' in Jakarta time (UTC+7, no daylight saving). */
export function parseJakartaTime(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function createMidtransProvider(opts: MidtransOptions): PaymentProvider {
  if (!opts.serverKey) throw new Error('Midtrans needs a server key');
  const base = opts.apiUrl.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${opts.serverKey}:`).toString('base64')}`;
  const timeoutMs = opts.timeoutMs ?? 15_000;

  async function call(method: 'GET' | 'POST', path: string, body?: Body, headers: Record<string, string> = {}): Promise<{ http: number; code: number; body: Body }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Accept: 'application/json', Authorization: auth, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PaymentProviderUnavailableError(`Midtrans could not be reached (${method} ${path}): ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: Body = {};
    try {
      json = text ? (JSON.parse(text) as Body) : {};
    } catch {
      if (res.status >= 500 || res.status === 429) throw new PaymentProviderUnavailableError(`Midtrans answered ${res.status} to ${method} ${path}.`, res.status);
      throw new PaymentProviderRejectedError(`Midtrans answered ${res.status} with a body that is not JSON to ${method} ${path}.`, res.status);
    }
    const code = Number(json.status_code ?? res.status);
    const effective = res.status >= 300 ? res.status : Number.isFinite(code) ? code : res.status;
    if (effective >= 500 || effective === 429 || res.status >= 500 || res.status === 429) {
      throw new PaymentProviderUnavailableError(`Midtrans is unavailable (${effective}: ${String(json.status_message ?? '')}) for ${method} ${path}.`, effective);
    }
    return { http: res.status, code: effective, body: json };
  }

  const reject = (what: string, r: { code: number; body: Body }): never => {
    const details = Array.isArray(r.body.validation_messages) ? ` (${(r.body.validation_messages as unknown[]).join('; ')})` : '';
    throw new PaymentProviderRejectedError(`Midtrans refused to ${what}: ${r.code} ${String(r.body.status_message ?? '')}${details}`, r.code);
  };

  const report = (orderId: string, b: Body): StatusReport => {
    const providerStatus = String(b.transaction_status ?? '');
    const fraudStatus = typeof b.fraud_status === 'string' ? b.fraud_status : null;
    return {
      orderId: typeof b.order_id === 'string' ? b.order_id : orderId,
      transactionId: String(b.transaction_id ?? ''),
      status: midtransStatus(providerStatus, fraudStatus),
      providerStatus,
      fraudStatus,
      grossAmount: String(b.gross_amount ?? ''),
    };
  };

  const provider: PaymentProvider = {
    name: 'midtrans',

    async createCharge(req: ChargeRequest): Promise<Charge> {
      const headers: Record<string, string> = req.notificationUrl ? { 'X-Override-Notification': req.notificationUrl } : {};
      const r = await call(
        'POST',
        '/v2/charge',
        {
          payment_type: 'qris',
          transaction_details: { order_id: req.orderId, gross_amount: req.amount },
          qris: { acquirer: opts.acquirer ?? 'gopay' },
          custom_expiry: { expiry_duration: req.expirySeconds, unit: 'second' },
        },
        headers,
      );
      if (r.code === 406) {
        // This order id was charged already (a retried activity whose first answer was lost): use that charge.
        const existing = await provider.getStatus(req.orderId);
        if (!existing) return reject('create the charge', r);
        return {
          transactionId: existing.transactionId,
          status: existing.status,
          providerStatus: existing.providerStatus,
          qrUrl: `${base}/v2/qris/${encodeURIComponent(existing.transactionId)}/qr-code`,
          qrString: null,
          expiresAt: null,
        };
      }
      if (r.code !== 200 && r.code !== 201) return reject('create the charge', r);
      const actions = Array.isArray(r.body.actions) ? (r.body.actions as { name?: string; url?: string }[]) : [];
      const qr = actions.find((a) => a.name === 'generate-qr-code')?.url ?? null;
      return {
        transactionId: String(r.body.transaction_id ?? ''),
        status: midtransStatus(String(r.body.transaction_status ?? 'pending'), r.body.fraud_status as string | undefined),
        providerStatus: String(r.body.transaction_status ?? 'pending'),
        qrUrl: qr,
        qrString: typeof r.body.qr_string === 'string' ? r.body.qr_string : null,
        expiresAt: parseJakartaTime(r.body.expiry_time),
      };
    },

    async getStatus(orderId: string): Promise<StatusReport | null> {
      const r = await call('GET', `/v2/${encodeURIComponent(orderId)}/status`);
      if (r.code === 404) return null;
      // 407 is Midtrans's status code for an expired transaction; the body is the transaction as usual.
      if (r.code >= 400 && r.code !== 407) return reject(`read the status of ${orderId}`, r);
      return report(orderId, r.body);
    },

    async cancel(orderId: string): Promise<StatusReport | null> {
      const r = await call('POST', `/v2/${encodeURIComponent(orderId)}/cancel`);
      if (r.code === 404) return null;
      // 412: no longer pending (paid, expired…): what it is now is the answer.
      if (r.code === 412) return provider.getStatus(orderId);
      if (r.code >= 400) return reject(`cancel ${orderId}`, r);
      return report(orderId, r.body);
    },

    async fetchQrImage(qrUrl: string): Promise<Buffer> {
      let res: Response;
      try {
        res = await fetch(qrUrl, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new PaymentProviderUnavailableError(`The QR image could not be fetched: ${(err as Error).message}`);
      }
      if (res.status >= 500 || res.status === 429) throw new PaymentProviderUnavailableError(`The QR image answered ${res.status}.`, res.status);
      if (!res.ok) throw new PaymentProviderRejectedError(`The QR image answered ${res.status}.`, res.status);
      return Buffer.from(await res.arrayBuffer());
    },
  };
  return provider;
}
