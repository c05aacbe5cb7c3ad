import { createHmac, randomBytes } from 'node:crypto';
import { type FakeRequest, type FakeResponse, type FaultControls, httpRequest, startFakeServer } from './http-fake';

/**
 * A fake of the parts of Stripe's API card trade escrow uses, for the unmodified `stripe` client pointed at
 * it (host/port/protocol): PaymentIntents (create, retrieve with `expand[]=latest_charge`), Transfers and
 * Refunds (create, list), Connect accounts and account links — with idempotency keys replayed as Stripe
 * does, form-encoded bodies, Stripe's error shape, and signed webhooks (`Stripe-Signature: t=…,v1=…`)
 * POSTed to our endpoint, in modes that send duplicates or out of order.
 *
 * The signature is computed here with its own HMAC call, not with lib/payments, so a wrong formula in
 * production code fails the tests instead of agreeing with itself.
 */

export type WebhookMode = 'normal' | 'duplicate' | 'out-of-order';

export interface FakeStripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where events are POSTed (the endpoint's URL); none: events are only recorded. */
  webhookUrl?: string;
}

interface Intent {
  id: string;
  amount: number;
  currency: string;
  status: 'requires_payment_method' | 'succeeded' | 'canceled';
  transfer_group: string | null;
  metadata: Record<string, string>;
  description: string | null;
  client_secret: string;
  latest_charge: string | null;
  created: number;
}

interface Charge {
  id: string;
  payment_intent: string;
  amount: number;
  amount_refunded: number;
  refunded: boolean;
  currency: string;
  transfer_group: string | null;
  /** Moved to connected accounts from this charge. */
  transferred: number;
}

export interface FakeTransfer {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  transfer_group: string | null;
  source_transaction: string | null;
}

export interface FakeRefund {
  id: string;
  amount: number;
  payment_intent: string;
  charge: string;
  status: 'succeeded';
}

interface Account {
  id: string;
  type: string;
  email: string | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  metadata: Record<string, string>;
  requirements: { currently_due: string[]; past_due: string[]; disabled_reason: string | null };
}

/** Where a connected account's onboarding stands (Stripe's fields), as a test sets it. */
export interface FakeOnboardingState {
  details_submitted: boolean;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  currently_due: string[];
}

export interface SentEvent {
  id: string;
  type: string;
  raw: string;
  /** HTTP statuses of our endpoint's answers (0: the request failed). */
  answers: number[];
}

export interface FakeStripe extends FaultControls {
  url: string;
  close(): Promise<void>;
  setWebhookUrl(url: string | undefined): void;
  setWebhookMode(mode: WebhookMode): void;
  /** The payer pays (a card that succeeds): the intent succeeds with a charge; events are sent. */
  pay(paymentIntentId: string): Promise<void>;
  /** The connected account finishes onboarding: charges and payouts enabled. */
  completeOnboarding(accountId: string): Promise<void>;
  /** Sets where an account's onboarding stands (no event: Stripe's return_url comes before any webhook). */
  setOnboarding(accountId: string, state: FakeOnboardingState): void;
  /** Every account link created, oldest first. */
  accountLinks(): { account: string; url: string; refresh_url: string; return_url: string }[];
  /** Sends an event about an object as it is now (or a custom one), signed; resolves after delivery. */
  sendEvent(type: string, object: Record<string, unknown>, opts?: { id?: string }): Promise<SentEvent>;
  /** The signature header for a body at a time, with this secret (for tests of the verifier). */
  sign(raw: string, timestampSeconds: number, secret?: string): string;
  intent(id: string): Record<string, unknown> | undefined;
  transfers(): FakeTransfer[];
  refunds(): FakeRefund[];
  accounts(): Account[];
  events(): SentEvent[];
  /** Requests that created an object, by path (an idempotent replay is not counted). */
  creations(path: string): number;
}

/** Stripe's form encoding (`a[b]=1`, `expand[]=x`, `expand[0]=x`) into nested objects. */
function parseStripeForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const bracket = key.indexOf('[');
    const path = bracket < 0 ? [key] : [key.slice(0, bracket), ...[...key.slice(bracket).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '')];
    let node: Record<string, unknown> = out;
    path.forEach((part, i) => {
      if (i < path.length - 1) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      } else if (part === '') {
        // `expand[]=a&expand[]=b`: a list
        const list = Array.isArray(node.__list) ? (node.__list as unknown[]) : [];
        list.push(value);
        node.__list = list;
      } else node[part] = value;
    });
  }
  return unwrapLists(out) as Record<string, unknown>;
}

function unwrapLists(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.__list)) return record.__list;
  const keys = Object.keys(record);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => unwrapLists(record[k]));
  return Object.fromEntries(keys.map((k) => [k, unwrapLists(record[k])]));
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export async function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  const { secretKey, webhookSecret } = options;
  let webhookUrl = options.webhookUrl;
  let mode: WebhookMode = 'normal';
  const intents = new Map<string, Intent>();
  const charges = new Map<string, Charge>();
  const transfers: FakeTransfer[] = [];
  const refunds: FakeRefund[] = [];
  const accounts = new Map<string, Account>();
  const links: { account: string; url: string; refresh_url: string; return_url: string }[] = [];
  const sent: SentEvent[] = [];
  const idempotent = new Map<string, { path: string; response: Promise<FakeResponse> }>();
  const created = new Map<string, number>();
  /** Events held back in out-of-order mode, sent after the next one. */
  let held: { type: string; object: Record<string, unknown> }[] = [];

  const now = () => Math.floor(Date.now() / 1000);
  const error = (status: number, type: string, message: string, extra: Record<string, unknown> = {}): FakeResponse => ({
    status,
    json: { error: { type, message, ...extra } },
    headers: { 'request-id': id('req') },
  });
  const ok = (json: unknown): FakeResponse => ({ status: 200, json, headers: { 'request-id': id('req') } });
  const missing = (what: string, value: string) => error(404, 'invalid_request_error', `No such ${what}: '${value}'`, { code: 'resource_missing', param: 'id' });
  const invalid = (message: string, param?: string) => error(400, 'invalid_request_error', message, param ? { param } : {});

  const chargeJson = (c: Charge) => ({ object: 'charge', id: c.id, payment_intent: c.payment_intent, amount: c.amount, amount_refunded: c.amount_refunded, refunded: c.refunded, currency: c.currency, transfer_group: c.transfer_group, paid: true, status: 'succeeded' });
  const intentJson = (p: Intent, expandCharge = false) => ({
    object: 'payment_intent',
    ...p,
    latest_charge: expandCharge && p.latest_charge ? chargeJson(charges.get(p.latest_charge) as Charge) : p.latest_charge,
  });
  const accountJson = (a: Account) => ({ object: 'account', ...a });

  const sign = (raw: string, t: number, secret = webhookSecret) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${raw}`, 'utf8').digest('hex')}`;

  const deliver = async (event: SentEvent): Promise<void> => {
    if (!webhookUrl) return;
    try {
      const res = await httpRequest(webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': sign(event.raw, now()), 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }, body: event.raw });
      event.answers.push(res.status);
    } catch {
      event.answers.push(0);
    }
  };

  const makeEvent = (type: string, object: Record<string, unknown>, eventId = id('evt')): SentEvent => {
    const raw = JSON.stringify({ id: eventId, object: 'event', api_version: '2026-11-18.endive', created: now(), livemode: false, pending_webhooks: 1, type, data: { object } }, null, 2);
    const event = { id: eventId, type, raw, answers: [] };
    sent.push(event);
    return event;
  };

  /** Emits events for a change, as the mode says; resolves after every delivery attempt. */
  const emit = async (batch: { type: string; object: Record<string, unknown> }[]) => {
    if (mode === 'out-of-order') {
      // The first event of a change is held back until after the next change's events.
      const toSend = held.length === 0 ? batch.slice(1) : [...batch, ...held];
      held = held.length === 0 ? batch.slice(0, 1) : [];
      for (const e of toSend) await deliver(makeEvent(e.type, e.object));
      return;
    }
    for (const e of batch) {
      const event = makeEvent(e.type, e.object);
      await deliver(event);
      if (mode === 'duplicate') {
        await deliver(event);
        await deliver(event);
      }
    }
  };

  const countCreation = (path: string) => created.set(path, (created.get(path) ?? 0) + 1);

  const routes = async (req: FakeRequest, params: Record<string, unknown>): Promise<FakeResponse> => {
    const path = req.url.pathname;
    const q = req.url.searchParams;
    const expand = Array.isArray(params.expand) ? (params.expand as string[]) : [];
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/v1/payment_intents') {
      const amount = Number(params.amount);
      if (!Number.isSafeInteger(amount) || amount < 50) return invalid('Amount must be at least $0.50 usd', 'amount');
      if (typeof params.currency !== 'string') return invalid('Missing required param: currency.', 'currency');
      const p: Intent = {
        id: id('pi'),
        amount,
        currency: params.currency,
        status: 'requires_payment_method',
        transfer_group: typeof params.transfer_group === 'string' ? params.transfer_group : null,
        metadata: (params.metadata as Record<string, string> | undefined) ?? {},
        description: typeof params.description === 'string' ? params.description : null,
        client_secret: '',
        latest_charge: null,
        created: now(),
      };
      p.client_secret = `${p.id}_secret_${randomBytes(8).toString('hex')}`;
      intents.set(p.id, p);
      countCreation(path);
      return ok(intentJson(p));
    }
    if (req.method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const p = intents.get(m[1] ?? '');
      return p ? ok(intentJson(p, expand.includes('latest_charge'))) : missing('payment_intent', m[1] ?? '');
    }
    if (req.method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) {
      const p = intents.get(m[1] ?? '');
      if (!p) return missing('payment_intent', m[1] ?? '');
      if (p.status !== 'requires_payment_method') {
        return error(400, 'invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${p.status}.`, { code: 'payment_intent_unexpected_state' });
      }
      p.status = 'canceled';
      await emit([{ type: 'payment_intent.canceled', object: intentJson(p) }]);
      return ok(intentJson(p));
    }
    if (req.method === 'POST' && path === '/v1/transfers') {
      const amount = Number(params.amount);
      const destination = String(params.destination ?? '');
      const account = accounts.get(destination);
      if (!account) return missing('destination', destination);
      if (!account.payouts_enabled) return invalid('Your destination account needs to have at least one of the following capabilities enabled: transfers', 'destination');
      const source = typeof params.source_transaction === 'string' ? charges.get(params.source_transaction) : undefined;
      if (params.source_transaction !== undefined && !source) return missing('charge', String(params.source_transaction));
      if (source && amount > source.amount - source.amount_refunded - source.transferred) return invalid('Insufficient funds in the source transaction', 'amount');
      if (!Number.isSafeInteger(amount) || amount < 1) return invalid('Invalid integer', 'amount');
      if (source) source.transferred += amount;
      const t: FakeTransfer = { id: id('tr'), amount, currency: String(params.currency), destination, transfer_group: typeof params.transfer_group === 'string' ? params.transfer_group : null, source_transaction: source?.id ?? null };
      transfers.push(t);
      countCreation(path);
      await emit([{ type: 'transfer.created', object: { object: 'transfer', ...t } }]);
      return ok({ object: 'transfer', ...t });
    }
    if (req.method === 'GET' && path === '/v1/transfers') {
      const group = q.get('transfer_group');
      return ok({ object: 'list', has_more: false, data: transfers.filter((t) => !group || t.transfer_group === group).map((t) => ({ object: 'transfer', ...t })) });
    }
    if (req.method === 'POST' && path === '/v1/refunds') {
      const p = intents.get(String(params.payment_intent ?? ''));
      if (!p) return missing('payment_intent', String(params.payment_intent));
      const c = p.latest_charge ? charges.get(p.latest_charge) : undefined;
      if (!c) return invalid(`This PaymentIntent (${p.id}) does not have a successful charge to refund.`, 'payment_intent');
      if (c.refunded) return error(400, 'invalid_request_error', `Charge ${c.id} has already been refunded.`, { code: 'charge_already_refunded' });
      const amount = c.amount - c.amount_refunded - c.transferred;
      if (amount <= 0) return invalid('Refund amount is greater than unrefunded amount on charge', 'amount');
      c.amount_refunded += amount;
      c.refunded = true;
      const r: FakeRefund = { id: id('re'), amount, payment_intent: p.id, charge: c.id, status: 'succeeded' };
      refunds.push(r);
      countCreation(path);
      await emit([{ type: 'charge.refunded', object: chargeJson(c) }]);
      return ok({ object: 'refund', ...r });
    }
    if (req.method === 'GET' && path === '/v1/refunds') {
      const pi = q.get('payment_intent');
      return ok({ object: 'list', has_more: false, data: refunds.filter((r) => !pi || r.payment_intent === pi).map((r) => ({ object: 'refund', ...r })) });
    }
    if (req.method === 'POST' && path === '/v1/accounts') {
      const type = String(params.type ?? '');
      if (type !== 'express' && type !== 'standard') return invalid('Invalid type: must be one of custom, express, or standard', 'type');
      const a: Account = {
        id: id('acct'),
        type,
        email: typeof params.email === 'string' ? params.email : null,
        charges_enabled: false,
        payouts_enabled: false,
        details_submitted: false,
        metadata: (params.metadata as Record<string, string> | undefined) ?? {},
        requirements: { currently_due: ['business_type', 'external_account', 'tos_acceptance.date'], past_due: [], disabled_reason: 'requirements.past_due' },
      };
      accounts.set(a.id, a);
      countCreation(path);
      return ok(accountJson(a));
    }
    if (req.method === 'GET' && (m = /^\/v1\/accounts\/([^/]+)$/.exec(path))) {
      const a = accounts.get(m[1] ?? '');
      return a ? ok(accountJson(a)) : missing('account', m[1] ?? '');
    }
    if (req.method === 'POST' && path === '/v1/account_links') {
      const a = accounts.get(String(params.account ?? ''));
      if (!a) return missing('account', String(params.account));
      const link = { account: a.id, url: `${base}/setup/e/${a.id}/${randomBytes(8).toString('hex')}`, refresh_url: String(params.refresh_url ?? ''), return_url: String(params.return_url ?? '') };
      links.push(link);
      countCreation(path);
      return ok({ object: 'account_link', created: now(), expires_at: now() + 300, url: link.url });
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${path}).`);
  };

  let base = '';
  const server = await startFakeServer({
    faultResponse: (status) => error(status, status === 429 ? 'rate_limit_error' : 'api_error', status === 429 ? 'Too many requests' : 'An unknown error occurred'),
    handle: async (req) => {
      if (req.headers.authorization !== `Bearer ${secretKey}`) return error(401, 'invalid_request_error', 'Invalid API Key provided');
      const params = parseStripeForm(req.method === 'POST' ? req.body.toString('utf8') : req.url.search.slice(1));
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
      if (key && req.method === 'POST') {
        const seen = idempotent.get(key);
        if (seen) {
          if (seen.path !== req.url.pathname) return invalid('Keys for idempotent requests can only be used with the same parameters they were first used with.');
          // An overlapping request with the same key gets the first one's answer once it is ready.
          const first = await seen.response;
          return { ...first, headers: { ...first.headers, 'Idempotent-Replayed': 'true' } };
        }
        const response = routes(req, params);
        idempotent.set(key, { path: req.url.pathname, response });
        const answer = await response;
        // Stripe does not keep a key whose request failed on its side: a retry runs again.
        if (answer.status >= 500) idempotent.delete(key);
        return answer;
      }
      return routes(req, params);
    },
  });
  base = server.url;

  return {
    ...server,
    setWebhookUrl: (url) => (webhookUrl = url),
    setWebhookMode: (m) => (mode = m),
    async pay(paymentIntentId) {
      const p = intents.get(paymentIntentId);
      if (!p) throw new Error(`no payment intent ${paymentIntentId}`);
      if (p.status !== 'requires_payment_method') throw new Error(`payment intent ${p.id} is ${p.status}`);
      const c: Charge = { id: id('ch'), payment_intent: p.id, amount: p.amount, amount_refunded: 0, refunded: false, currency: p.currency, transfer_group: p.transfer_group, transferred: 0 };
      charges.set(c.id, c);
      p.status = 'succeeded';
      p.latest_charge = c.id;
      await emit([
        { type: 'payment_intent.succeeded', object: intentJson(p) },
        { type: 'charge.succeeded', object: chargeJson(c) },
      ]);
    },
    async completeOnboarding(accountId) {
      const a = accounts.get(accountId);
      if (!a) throw new Error(`no account ${accountId}`);
      Object.assign(a, { charges_enabled: true, payouts_enabled: true, details_submitted: true, requirements: { currently_due: [], past_due: [], disabled_reason: null } });
      await emit([{ type: 'account.updated', object: accountJson(a) }]);
    },
    setOnboarding(accountId, state) {
      const a = accounts.get(accountId);
      if (!a) throw new Error(`no account ${accountId}`);
      const { currently_due, ...flags } = state;
      Object.assign(a, flags, { requirements: { currently_due: [...currently_due], past_due: [], disabled_reason: currently_due.length ? 'requirements.past_due' : null } });
    },
    accountLinks: () => links.map((l) => ({ ...l })),
    async sendEvent(type, object, opts = {}) {
      const event = makeEvent(type, object, opts.id);
      await deliver(event);
      return event;
    },
    sign,
    intent: (piId) => {
      const p = intents.get(piId);
      return p && intentJson(p, true);
    },
    transfers: () => transfers.map((t) => ({ ...t })),
    refunds: () => refunds.map((r) => ({ ...r })),
    accounts: () => [...accounts.values()].map((a) => ({ ...a, requirements: { ...a.requirements } })),
    events: () => sent.map((e) => ({ ...e, answers: [...e.answers] })),
    creations: (path) => created.get(path) ?? 0,
  };
}
