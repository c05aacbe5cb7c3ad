import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default: a signature older (or newer) than 5 minutes is a replay. */
const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

export type StripeSignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'too_old' | 'mismatch' };

/**
 * Checks a `Stripe-Signature: t=…,v1=…[,v1=…]` header against the raw body: HMAC-SHA256 of `${t}.${body}`
 * with the endpoint's signing secret, any v1 value may match (Stripe sends two while a secret is rolled),
 * compared in constant time, and `t` within the tolerance of our clock. Other schemes (v0) are ignored.
 */
export function verifyStripeSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  { nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = STRIPE_SIGNATURE_TOLERANCE_SECONDS }: { nowSeconds?: number; toleranceSeconds?: number } = {},
): StripeSignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Compare every value, so the time taken does not tell which one (or whether any) came close.
  let matched = false;
  for (const candidate of signatures) if (timingSafeEqual(candidate, expected)) matched = true;
  if (!matched) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'too_old' };
  return { ok: true };
}
