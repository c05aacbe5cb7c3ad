import type Router from '@koa/router';
import { z } from 'zod';
import { refreshPayoutAccount } from '../../activities/card-escrow';
import { AppError, ValidationError } from '../../lib/errors';
import { wakeTradeEscrow } from '../../lib/flows/card-trades.client';
import { STRIPE_WEBHOOK_PATH, verifyStripeSignature } from '../../lib/payments';
import type { Prisma } from '../../prisma/client';
import { readRawBody } from '../body';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';

interface StripeEventBody {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

function parseEvent(raw: Buffer): StripeEventBody {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ValidationError('The body is not valid JSON.', { reason: (err as Error).message });
  }
  const e = body as Partial<StripeEventBody> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.id !== 'string' ||
    !/^evt_[A-Za-z0-9_]{1,200}$/.test(e.id) ||
    typeof e.type !== 'string' ||
    typeof e.data !== 'object' ||
    e.data === null ||
    typeof e.data.object !== 'object' ||
    e.data.object === null
  ) {
    throw new ValidationError('The body is not a Stripe event (id, type, data.object).');
  }
  return e as StripeEventBody;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : undefined);

/**
 * POST /webhooks/stripe — Stripe's events about card trade escrow (verify → record → answer → signal):
 *
 * 1. `Stripe-Signature` must hold for the raw body (HMAC-SHA256 with STRIPE_WEBHOOK_SECRET, any v1
 *    value, within 300 s), else 400 and nothing recorded;
 * 2. the event is recorded once by its id; a redelivery is a 200 `duplicate` that does nothing again;
 * 3. the trade flow `card-trade:{proposalId}` (the proposal id from the PaymentIntent's metadata, or its
 *    escrow row, or the transfer group) gets `escrowChanged` — no payload: the flow asks Stripe itself
 *    (cardsEscrowCheck), so an event's order or content never decides whether money is held. A flow that
 *    does not exist is recorded as `not_found`; either way Stripe got its 200;
 * 4. `account.updated` makes us read the connected account from Stripe (payouts enabled or not).
 */
export function stripeWebhookRoutes(deps: RouteDeps): Router<RouteState> {
  const wlog = deps.log.child({ component: 'stripe-webhooks' });

  const stripe = route({
    method: 'post',
    path: STRIPE_WEBHOOK_PATH,
    summary: "Stripe's card trade escrow events (signature checked over the raw body before anything is recorded).",
    description: 'A bad or missing Stripe-Signature is a 400 invalid_signature; a 404 card_escrow_off when STRIPE_WEBHOOK_SECRET is not set; a 503 (Retry-After) when the event cannot be recorded.',
    tag: 'card-escrow',
    access: { kind: 'signature', scheme: 'stripeSignature' },
    rawBody: {
      contentType: 'application/json',
      description: 'A Stripe event, read as raw bytes (at most 256 KiB).',
      schema: z.looseObject({ id: z.string().regex(/^evt_[A-Za-z0-9_]{1,200}$/), type: z.string(), data: z.looseObject({ object: z.looseObject({}) }) }),
    },
    responses: { 200: { description: 'Recorded, or a redelivery already recorded.', schema: z.object({ status: z.enum(['recorded', 'duplicate']) }) } },
    handler: async (ctx) => {
      const secret = deps.stripeWebhookSecret;
      if (!secret) throw new AppError('card_escrow_off', 'Card trade escrow is not set up on this Guildflow (STRIPE_WEBHOOK_SECRET is not set).', 404);
      const raw = await readRawBody(ctx, 256 * 1024);
      const header = ctx.get('Stripe-Signature') || undefined;
      const check = verifyStripeSignature(header, raw, secret, { nowSeconds: Math.floor((deps.stripeClock?.() ?? new Date()).getTime() / 1000) });
      if (!check.ok) {
        wlog.warn({ reason: check.reason, requestId: ctx.state.requestId }, 'Stripe event with a bad signature refused');
        throw new AppError('invalid_signature', `The Stripe-Signature header does not verify (${check.reason}).`, 400);
      }
      const event = parseEvent(raw);
      const object = event.data.object;
      const proposalId = await proposalOf(object);
      let created: number;
      try {
        ({ count: created } = await deps.prisma.stripeEvent.createMany({
          data: [{ id: event.id, type: event.type.slice(0, 100), objectId: str(object.id) ?? null, proposalId: proposalId ?? null, payload: JSON.parse(raw.toString('utf8')) as Prisma.InputJsonValue }],
          skipDuplicates: true,
        }));
      } catch (err) {
        wlog.error({ err: (err as Error).message, eventId: event.id }, 'could not record a Stripe event; asking Stripe to retry');
        ctx.set('Retry-After', '5');
        throw new AppError('unavailable', 'The event could not be recorded right now; retry later.', 503);
      }
      ctx.status = 200;
      ctx.body = { status: created === 0 ? 'duplicate' : 'recorded' };
      if (created === 0) return;
      void act(event, proposalId);
    },
  });

  /** The proposal an event is about: PaymentIntent metadata, else our escrow row by payment, else the transfer group. */
  async function proposalOf(object: Record<string, unknown>): Promise<string | undefined> {
    const metadata = object.metadata as Record<string, unknown> | undefined;
    const fromMetadata = str(metadata?.proposalId);
    if (fromMetadata) return fromMetadata;
    const paymentIntent = str(object.payment_intent);
    if (paymentIntent) {
      const row = await deps.prisma.cardEscrow.findUnique({ where: { paymentIntentId: paymentIntent }, select: { proposalId: true } });
      if (row) return row.proposalId;
    }
    const group = str(object.transfer_group);
    return group?.startsWith('card-trade:') ? group.slice('card-trade:'.length) : undefined;
  }

  /** After the answer: wake the flow (or refresh an account) and note what happened on the event's row. */
  async function act(event: StripeEventBody, proposalId: string | undefined): Promise<void> {
    let result: string;
    try {
      if (event.type === 'account.updated' && deps.escrow) {
        await refreshPayoutAccount({ prisma: deps.prisma, log: deps.log, escrow: deps.escrow }, String(event.data.object.id));
        result = 'account_refreshed';
      } else if (!proposalId) result = 'no_proposal';
      else if (!deps.temporal) result = 'no_temporal';
      else result = (await wakeTradeEscrow(deps.temporal, proposalId)) ? 'signalled' : 'not_found';
    } catch (err) {
      result = `error: ${(err as Error).message}`.slice(0, 300);
      wlog.warn({ eventId: event.id, proposalId, err: (err as Error).message }, 'could not act on a Stripe event');
    }
    try {
      await deps.prisma.stripeEvent.update({ where: { id: event.id }, data: { signalledAt: new Date(), signalResult: result } });
    } catch (err) {
      wlog.warn({ eventId: event.id, err: (err as Error).message }, 'could not note what a Stripe event did');
    }
  }

  return routerOf(undefined, deps, [stripe]);
}
